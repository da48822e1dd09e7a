// Deferred secondary indexes for append-only logs (plays, the activity log).
//
// A play is appended at the end of `plays`, but an ordinary index on (user_id, id) or
// (track_id) puts its entry in a different leaf page for each user or track. With 100 users
// writing at once, every group commit then dirties ~100 leaves per index, and WAL mode writes
// each dirty 32 KB page in full: most of a commit's cost was those scattered leaves, growing
// with the table.
//
// So these lookups are kept in side tables filled in bulk, LSM-style: the log row is written
// at once (appending, cheap), and every `everyMs` one write-queue operation copies the rows
// past a watermark into the side tables, sorted, touching each leaf once for thousands of
// entries. Readers merge the two parts: the side table up to the watermark and a scan of the
// short tail after it (a rowid range), so every acknowledged write is visible at once.
// Watermark and side tables move in one transaction, so a crash loses nothing: the tail is
// simply longer until the next catch-up.
import { type Db, statement } from './connection.ts';
import type { WriteQueue } from './write-queue.ts';

export interface DeferredIndex {
  /** Key of the watermark row in `deferred_indexes`. */
  name: string;
  /** The append-only table it follows (by rowid). */
  source: string;
  /** Copies the rows with from < rowid <= to into the side table(s). */
  apply(db: Db, from: number, to: number): void;
}

/** SQL for the watermark of `name`, to embed in readers' queries (same snapshot as the rows). */
export const watermarkOf = (name: string) => `(SELECT upto FROM deferred_indexes WHERE name = '${name}')`;

export interface DeferredIndexerOptions {
  /** How often the tails are folded in. */
  everyMs?: number;
  /** Most rows folded per index per operation (keeps one write-queue batch short). */
  maxRows?: number;
}

export class DeferredIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly maxRows: number;
  folded = 0;

  constructor(
    private readonly writes: WriteQueue,
    private readonly indexes: readonly DeferredIndex[],
    private readonly options: DeferredIndexerOptions = {},
  ) {
    this.maxRows = options.maxRows ?? 50_000;
  }

  /** Folds every tail into its side tables (through the write queue); resolves with the rows folded. */
  catchUp(): Promise<number> {
    this.running ??= this.writes
      .run((db) => {
        let rows = 0;
        for (const index of this.indexes) rows += foldTail(db, index, this.maxRows);
        return rows;
      })
      .then((rows) => {
        this.folded += rows;
        return rows;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** How far each index trails its log (read with any connection). */
  lag(db: Db): { name: string; upto: number; last: number; behind: number }[] {
    return this.indexes.map((index) => {
      const upto = (statement(db, 'SELECT upto FROM deferred_indexes WHERE name = ?').pluck().get(index.name) as number | undefined) ?? 0;
      const last = (statement(db, `SELECT max(rowid) FROM ${index.source}`).pluck().get() as number | null) ?? 0;
      return { name: index.name, upto, last, behind: Math.max(0, last - upto) };
    });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.catchUp().catch(() => {
        // Folding is retried on the next tick; until then readers scan a longer tail.
      });
    }, this.options.everyMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** One index's catch-up, inside the caller's write transaction. */
export function foldTail(db: Db, index: DeferredIndex, maxRows = Number.MAX_SAFE_INTEGER): number {
  const from = (statement(db, 'SELECT upto FROM deferred_indexes WHERE name = ?').pluck().get(index.name) as number | undefined) ?? 0;
  const last = (statement(db, `SELECT max(rowid) FROM ${index.source}`).pluck().get() as number | null) ?? 0;
  if (last <= from) return 0;
  const to = Math.min(last, from + maxRows);
  index.apply(db, from, to);
  statement(db, 'INSERT INTO deferred_indexes (name, upto) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET upto = excluded.upto').run(index.name, to);
  return to - from;
}

/** Empties side tables and watermarks (the importer's clearCatalog, tests). */
export function resetDeferred(db: Db, names: readonly string[], tables: readonly string[]): void {
  for (const t of tables) db.prepare(`DELETE FROM ${t}`).run();
  for (const n of names) db.prepare('UPDATE deferred_indexes SET upto = 0 WHERE name = ?').run(n);
}
