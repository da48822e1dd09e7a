// Long maintenance work started from the dashboard (search index rebuild/optimize, vectors
// rebuild) runs as a job: a worker thread with its own connection, reporting progress that the
// dashboard polls. One job per resource at a time; the last 20 jobs are kept for the list.
// Jobs belong to the process that started them (with several workers, the poll must reach the
// same one; the reply names its pid).
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { PrimarySettings } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import type { TaskName } from './tasks.ts';

export interface Job {
  id: string;
  task: TaskName;
  state: 'running' | 'done' | 'failed';
  progress: { done: number; total: number; label: string };
  startedAt: string;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  pid: number;
}

const KEEP = 20;
// Two jobs on one resource would fight for the same write lock and index.
const resourceOf = (task: TaskName) => task.split('-')[0] as string;

export class JobRunner {
  private readonly jobs: Job[] = [];
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly settings: PrimarySettings,
    /** Runs in this process after a job succeeds (cache invalidation and the like). */
    private readonly onDone: (task: TaskName) => Promise<void> | void = () => {},
  ) {}

  start(task: TaskName): Job {
    const busy = this.jobs.find((j) => j.state === 'running' && resourceOf(j.task) === resourceOf(task));
    if (busy) throw new ApiError(409, 'job_running', `A ${busy.task} job is running (${busy.id}); wait for it to finish.`, { jobId: busy.id });
    const job: Job = {
      id: randomUUID(),
      task,
      state: 'running',
      progress: { done: 0, total: 0, label: 'starting' },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      result: null,
      error: null,
      pid: process.pid,
    };
    this.jobs.unshift(job);
    if (this.jobs.length > KEEP) this.jobs.length = KEEP;
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { module: new URL(`./tasks${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href, task, settings: this.settings },
    });
    this.workers.set(job.id, worker);
    const finish = (state: Job['state'], fields: Partial<Job>) => {
      if (job.state !== 'running') return;
      Object.assign(job, fields, { state, finishedAt: new Date().toISOString() });
      this.workers.delete(job.id);
    };
    worker.on('message', (m: { type: string; done?: number; total?: number; label?: string; result?: Record<string, unknown>; message?: string }) => {
      if (m.type === 'progress') job.progress = { done: m.done ?? 0, total: m.total ?? 0, label: m.label ?? '' };
      else if (m.type === 'failed') finish('failed', { error: m.message ?? 'failed' });
      else if (m.type === 'done') {
        Promise.resolve(this.onDone(task)).then(
          () => finish('done', { result: m.result ?? {}, progress: { ...job.progress, done: job.progress.total, label: 'done' } }),
          (err: Error) => finish('failed', { error: `finished, but the follow-up failed: ${err.message}` }),
        );
      }
    });
    worker.on('error', (err) => finish('failed', { error: err.message }));
    worker.on('exit', (code) => {
      if (code !== 0) finish('failed', { error: `worker exited with code ${code}` });
    });
    return job;
  }

  get(id: string): Job {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new ApiError(404, 'not_found', `No job ${id} in this process (pid ${process.pid}).`);
    return job;
  }

  list(): Job[] {
    return this.jobs;
  }

  /** Stops running jobs (server shutdown): their transactions roll back. */
  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.terminate()));
    this.workers.clear();
  }
}
