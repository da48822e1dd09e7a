// The event carrier between processes that share the primary file: a change log table
// (event_log, migration 012). Publishing appends a row through the write queue; every
// `pollMs` each process reads the rows past the last one it saw (an index range read on the
// table's tail, a few µs when nothing is new) and hands the others' events to its bus. So an
// event reaches every process within one poll interval of its commit: 250 ms by default, which
// keeps the stated bound of 1 s with room for a busy event loop (test/events/carrier.test.ts
// measures it between two `chinook serve` processes).
//
// Rows older than `retentionMs` are pruned. A process that fell further behind (stopped in a
// debugger, a laptop asleep) cannot know what it missed: it is told through onGap() and drops
// every cached answer instead.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type Db, statement, type WriteQueue } from '../db/index.ts';
import type { EventCarrier } from './carrier.ts';
import type { DomainEvent } from './types.ts';

export interface SqliteEventLogOptions {
  pollMs?: number;
  /** Rows older than this are deleted (default 10 minutes). */
  retentionMs?: number;
  pruneEveryMs?: number;
  /** Rows read per poll (a backlog is read in several polls back to back). */
  batch?: number;
  onError?: (err: unknown) => void;
}

export class SqliteEventLog implements EventCarrier {
  /** This process's mark on its rows (host, pid and a random part: pids are reused). */
  readonly origin = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private lastSeq: number;
  private handler: ((event: DomainEvent) => void | Promise<void>) | undefined;
  private gapHandler: (() => void) | undefined;
  private readonly pollTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private polling: Promise<void> | undefined;
  private closed = false;
  /** Events received from other processes, and polls, since the start (for metrics). */
  readonly counts = { received: 0, published: 0, polls: 0, gaps: 0 };

  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly options: SqliteEventLogOptions = {},
  ) {
    // What happened before this process started is in no cache of its own.
    this.lastSeq = (statement(db, 'SELECT ifnull(max(seq), 0) FROM event_log').pluck().get() as number) ?? 0;
    this.pollTimer = setInterval(() => void this.poll(), options.pollMs ?? 250);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune().catch(() => {}), options.pruneEveryMs ?? 60_000);
    this.pruneTimer.unref();
  }

  async publish(event: DomainEvent): Promise<void> {
    const text = JSON.stringify(event);
    await this.writes.run((db) => statement(db, 'INSERT INTO event_log (at, origin, event) VALUES (?, ?, ?)').run(Date.now(), this.origin, text));
    this.counts.published++;
  }

  subscribe(handler: (event: DomainEvent) => void | Promise<void>): void {
    this.handler = handler;
  }

  onGap(handler: () => void): void {
    this.gapHandler = handler;
  }

  /** Reads and delivers what is new (one poll at a time; the timer calls it, tests may too). */
  poll(): Promise<void> {
    this.polling ??= this.readNew().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  async prune(now = Date.now()): Promise<number> {
    const before = now - (this.options.retentionMs ?? 600_000);
    return this.writes.run((db) => statement(db, 'DELETE FROM event_log WHERE at < ?').run(before).changes);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
  }

  private async readNew(): Promise<void> {
    const batch = this.options.batch ?? 500;
    try {
      for (;;) {
        if (this.closed) return;
        this.counts.polls++;
        const rows = statement(this.db, 'SELECT seq, origin, event FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?').all(this.lastSeq, batch) as {
          seq: number;
          origin: string;
          event: string;
        }[];
        if (rows.length === 0) return;
        // Sequence numbers have no holes but at the low end, where pruning removes rows: a first
        // row past lastSeq + 1 that is also the oldest row left means rows this process never read were pruned.
        const first = rows[0]?.seq ?? 0;
        if (first > this.lastSeq + 1 && this.lastSeq > 0) {
          const oldest = statement(this.db, 'SELECT min(seq) FROM event_log').pluck().get() as number;
          if (oldest === first) {
            this.counts.gaps++;
            this.gapHandler?.();
          }
        }
        for (const row of rows) {
          this.lastSeq = row.seq;
          if (row.origin === this.origin || !this.handler) continue;
          this.counts.received++;
          await this.handler(JSON.parse(row.event) as DomainEvent);
        }
        if (rows.length < batch) return;
      }
    } catch (err) {
      // The file is busy or failing: the next poll tries again from the same place.
      this.options.onError?.(err);
    }
  }
}
