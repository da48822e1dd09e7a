// Readiness: can this process read AND write the primary right now? Reading alone misses a
// full disk or a read-only file, so the check rewrites one row (storage_probe) through the
// write queue, like any acknowledged write. A load balancer may probe many times a second:
// one check runs at a time and its answer is reused for `reuseMs`.
import { type Db, statement } from './connection.ts';
import { classifyStorageError, type StorageHealth, type StorageState } from './storage-health.ts';
import type { WriteQueue } from './write-queue.ts';

export interface CheckResult {
  ok: boolean;
  ms: number;
  /** SQLite's code (SQLITE_FULL …) or "timeout". */
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: { read: CheckResult; write: CheckResult };
  storage: StorageState;
}

export class Readiness {
  private last: { at: number; report: ReadinessReport } | undefined;
  private running: Promise<ReadinessReport> | undefined;

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly storage: StorageHealth,
    private readonly options: { reuseMs?: number; writeTimeoutMs?: number } = {},
  ) {}

  check(): Promise<ReadinessReport> {
    if (this.last && performance.now() - this.last.at < (this.options.reuseMs ?? 1000)) return Promise.resolve(this.last.report);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ReadinessReport> {
    const read = this.timed(() => {
      statement(this.db, 'SELECT written_at FROM storage_probe WHERE id = 1').get();
    });
    const write = await this.timedAsync(() =>
      this.writes.run((db) => {
        statement(
          db,
          'INSERT INTO storage_probe (id, written_at, pid) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET written_at = excluded.written_at, pid = excluded.pid',
        ).run(Date.now(), process.pid);
      }),
    );
    const report: ReadinessReport = { status: read.ok && write.ok ? 'ready' : 'not_ready', checks: { read, write }, storage: this.storage.state() };
    this.last = { at: performance.now(), report };
    return report;
  }

  private timed(fn: () => void): CheckResult {
    const t0 = performance.now();
    try {
      fn();
      return { ok: true, ms: round(performance.now() - t0) };
    } catch (err) {
      this.storage.fault(err);
      return { ok: false, ms: round(performance.now() - t0), error: codeOf(err) };
    }
  }

  private async timedAsync(fn: () => Promise<unknown>): Promise<CheckResult> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'timeout' })), this.options.writeTimeoutMs ?? 2000);
    });
    try {
      await Promise.race([fn(), timeout]);
      return { ok: true, ms: round(performance.now() - t0) };
    } catch (err) {
      return { ok: false, ms: round(performance.now() - t0), error: codeOf(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const codeOf = (err: unknown) => classifyStorageError(err)?.code ?? String((err as { code?: unknown })?.code ?? (err as Error)?.message ?? err);
