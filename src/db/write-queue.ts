// Group commit: every write in a process goes through one queue. Operations gathered for a
// few milliseconds (or until a batch is full) run in ONE `BEGIN IMMEDIATE` transaction, each
// inside its own savepoint, and every caller's promise settles only after COMMIT returns —
// so an acknowledged write is in the WAL and survives kill -9, while a hundred writers pay
// for one commit instead of a hundred.
//
// SQLite allows one writer at a time across processes. The queue's connection has a short
// busy_timeout, and SQLITE_BUSY is retried here with async backoff (the event loop keeps
// serving reads meanwhile) until the configured busy timeout is spent.
import type { Db } from './connection.ts';
import type { StorageHealth } from './storage-health.ts';

export type WriteOp<T> = (db: Db) => T;

export interface WriteQueueOptions {
  /** Most operations in one transaction. */
  maxBatch?: number;
  /** Longest a write waits for company before its batch is flushed; 0 (default) = the end of the current event-loop turn. */
  maxWaitMs?: number;
  /** Total time SQLITE_BUSY is retried before the batch fails. */
  busyTimeoutMs?: number;
  /** Told of every commit and every failed batch (full disk, read-only file …). */
  storage?: StorageHealth;
}

export interface WriteQueueStats {
  batches: number;
  operations: number;
  failedOperations: number;
  busyRetries: number;
  pending: number;
  maxBatchSeen: number;
  meanBatchSize: number;
  meanQueueWaitMs: number;
  meanCommitMs: number;
}

interface Pending {
  op: WriteOp<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  enqueuedAt: number;
}

const isBusy = (err: unknown) => {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WriteQueueClosedError extends Error {
  constructor() {
    super('the write queue is closed');
    this.name = 'WriteQueueClosedError';
  }
}

export class WriteQueue {
  private queue: Pending[] = [];
  private scheduled: (() => void) | undefined; // cancels the pending flush
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly busyTimeoutMs: number;
  private readonly storage: StorageHealth | undefined;
  private readonly batchListeners = new Set<(operations: number, commitMs: number) => void>();
  private readonly totals = { batches: 0, operations: 0, failed: 0, busyRetries: 0, maxBatch: 0, waitMs: 0, commitMs: 0 };

  constructor(
    private readonly db: Db,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 512;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.storage = options.storage;
  }

  /** Runs `op` inside the next group transaction; resolves with its result after COMMIT. */
  run<T>(op: WriteOp<T>): Promise<T> {
    if (this.closed) return Promise.reject(new WriteQueueClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject, enqueuedAt: performance.now() });
      if (this.queue.length >= this.maxBatch) this.kick(-1);
      else this.kick(this.maxWaitMs);
    });
  }

  stats(): WriteQueueStats {
    const t = this.totals;
    return {
      batches: t.batches,
      operations: t.operations,
      failedOperations: t.failed,
      busyRetries: t.busyRetries,
      pending: this.queue.length,
      maxBatchSeen: t.maxBatch,
      meanBatchSize: t.batches ? t.operations / t.batches : 0,
      meanQueueWaitMs: t.operations ? t.waitMs / t.operations : 0,
      meanCommitMs: t.batches ? t.commitMs / t.batches : 0,
    };
  }

  /** Hears every committed batch: its operations and how long BEGIN…COMMIT took (metrics). Returns an unsubscribe. */
  onBatch(listener: (operations: number, commitMs: number) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** Waits for everything queued so far to commit. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (!this.flushing) this.kick(-1);
      await this.flushing;
    }
  }

  /** Refuses new writes and commits the ones already queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  /** delayMs < 0: flush now; 0: at the end of this event-loop turn; > 0: after that long. */
  private kick(delayMs: number): void {
    if (this.flushing) return; // the running flush loops until the queue is empty
    if (delayMs < 0) {
      this.scheduled?.();
      this.scheduled = undefined;
      this.flushing = this.flushLoop();
      return;
    }
    if (this.scheduled) return;
    const fire = () => {
      this.scheduled = undefined;
      if (!this.flushing) this.flushing = this.flushLoop();
    };
    // setImmediate: everything that arrived in this turn (all requests parsed in one I/O poll)
    // shares a commit, without waiting on a fixed timer.
    if (delayMs === 0) {
      const handle = setImmediate(fire);
      this.scheduled = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(fire, delayMs);
      this.scheduled = () => clearTimeout(handle);
    }
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commitBatch(batch);
        // Callers woken by this commit often write again at once, a few promise hops later.
        // One turn of the event loop lets them join the next batch; otherwise the loop would
        // end with the queue empty and each new batch would wait out maxWaitMs again (under
        // 100 busy clients that wait was longer than the commit itself).
        if (this.queue.length < this.maxBatch) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const deadline = started + this.busyTimeoutMs;
    let backoff = 1;
    for (;;) {
      const outcome = this.tryBatch(batch);
      if (outcome.ok) {
        this.storage?.ok();
        const now = performance.now();
        const t = this.totals;
        t.batches++;
        t.operations += batch.length;
        t.maxBatch = Math.max(t.maxBatch, batch.length);
        t.commitMs += now - outcome.beganAt;
        for (const listener of this.batchListeners) listener(batch.length, now - outcome.beganAt);
        for (const p of batch) t.waitMs += outcome.beganAt - p.enqueuedAt;
        outcome.results.forEach((r, i) => {
          const p = batch[i] as Pending;
          if (r.ok) p.resolve(r.value);
          else {
            this.storage?.fault(r.error); // one operation can meet a full disk that the commit did not
            t.failed++;
            p.reject(r.error);
          }
        });
        return;
      }
      if (isBusy(outcome.error) && performance.now() < deadline) {
        this.totals.busyRetries++;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 50);
        continue;
      }
      this.storage?.fault(outcome.error);
      this.totals.failed += batch.length;
      for (const p of batch) p.reject(outcome.error);
      return;
    }
  }

  private tryBatch(batch: Pending[]): { ok: true; beganAt: number; results: OpResult[] } | { ok: false; error: unknown } {
    const db = this.db;
    const beganAt = performance.now();
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      return { ok: false, error };
    }
    try {
      // Optimistic pass: no savepoints (they cost ~3× a small insert). If every operation
      // succeeds, that is the batch. If one throws, undo the pass and run the batch again with
      // a savepoint per operation, so only the failing caller fails. Operations may therefore
      // run twice: they must not have effects outside the database.
      let results = this.runOps(batch, false);
      if (results.some((r) => !r.ok)) {
        db.exec('ROLLBACK');
        db.exec('BEGIN IMMEDIATE');
        results = this.runOps(batch, true);
      }
      db.exec('COMMIT');
      return { ok: true, beganAt, results };
    } catch (error) {
      // After an I/O error or a full disk SQLite may have rolled back already, or the ROLLBACK
      // itself may fail; either way this batch failed with `error`, and its callers must hear it.
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {}
      return { ok: false, error };
    }
  }

  private runOps(batch: Pending[], isolated: boolean): OpResult[] {
    const db = this.db;
    const results: OpResult[] = [];
    for (const p of batch) {
      if (isolated) db.exec('SAVEPOINT write_op');
      try {
        const value = p.op(db);
        if (value instanceof Promise) throw new TypeError('write operations must be synchronous (they run inside a transaction)');
        if (isolated) db.exec('RELEASE write_op');
        results.push({ ok: true, value });
      } catch (error) {
        results.push({ ok: false, error });
        if (!isolated) return results; // the batch will be re-run with savepoints
        db.exec('ROLLBACK TO write_op');
        db.exec('RELEASE write_op');
      }
    }
    return results;
  }
}

type OpResult = { ok: true; value: unknown } | { ok: false; error: unknown };
