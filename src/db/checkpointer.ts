// The WAL checkpointer thread. SQLite's automatic checkpoint runs inside the COMMIT that
// crosses wal_autocheckpoint pages (2000 × 32 KiB = 64 MiB here), blocking the event loop for
// ~100 ms and showing up as the p99 of every write. Instead the write connection's automatic
// checkpoint is raised to a safety net, and a worker thread with its own connection runs
// PASSIVE checkpoints every `intervalMs` on the second core, makes the WAL start over once it
// holds more than `maxWalBytes`, and truncates it when writes pause (checkpoint-worker.mjs).
import { Worker } from 'node:worker_threads';
import type { Db } from './connection.ts';

export interface CheckpointStats {
  /** Checkpoint runs, pages copied, and runs that found the file busy, since the start. */
  runs: number;
  pages: number;
  busy: number;
  /** WAL restarts forced past the size limit, and truncations when writes paused. */
  restarts: number;
  truncates: number;
  /** Frames in the WAL at the last run, and how many of them were not yet copied (the checkpoint lag). */
  walFrames: number;
  lagFrames: number;
  pageSize: number;
  /** When a run last copied pages into the database file, and the WAL's size in pages then. */
  lastAt: string | null;
  lastLog: number;
}

export interface Checkpointer {
  stats(): Promise<CheckpointStats>;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  walAutocheckpoint: number;
  /** WAL frames past this many bytes make the next run a RESTART (default 64 MiB). */
  maxWalBytes?: number;
  intervalMs?: number;
  /** How long a RESTART or TRUNCATE waits for readers to leave the WAL (holding new writers back meanwhile). */
  waitMs?: number;
}

export function startCheckpointer(writer: Db, options: CheckpointerOptions): Checkpointer {
  // Still bounded if the thread dies: the writer checkpoints itself past 8× the usual size.
  writer.pragma(`wal_autocheckpoint = ${options.walAutocheckpoint * 8}`);
  const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
    workerData: {
      dbPath: writer.name,
      intervalMs: options.intervalMs ?? 250,
      maxWalBytes: options.maxWalBytes ?? 64 * 1024 * 1024,
      // Readers here finish in milliseconds; 200 ms is a write p99 paid once per limit's worth of WAL.
      waitMs: options.waitMs ?? 200,
    },
  });
  worker.unref();
  worker.on('error', (err) => {
    console.error(`WAL checkpointer stopped: ${err.message}; the write connection checkpoints by itself`);
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${options.walAutocheckpoint}`);
  });
  let stopping: Promise<void> | null = null;
  return {
    stats() {
      return new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('stats');
      });
    },
    stop() {
      stopping ??= stopWorker();
      return stopping;
    },
  };

  async function stopWorker(): Promise<void> {
    // Referenced while we wait: an unref'd worker and timer would let the process exit with
    // this promise (and whoever awaits it) still pending.
    worker.ref();
    const exited = new Promise((r) => worker.once('exit', r));
    worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
