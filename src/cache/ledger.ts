// The byte and LRU ledger of the cache database: what each table holds (entries, charged
// bytes, hits, misses …), the byte cap, and the least-recently-used order.
//
// - Byte cap: each row is charged its payload, key and tag sizes plus a fixed overhead.
//   Before an insert, least-recently-used rows are evicted until the new row fits, so the
//   charged total never exceeds the cap.
// - LRU order is a per-process access counter kept in an indexed last_access column: finding
//   the oldest row is an index seek, not a scan (approximate: see touchIfOld).
import type Database from 'better-sqlite3';
import { type CacheTable, cacheTables, type EntryTable, type Stmt, sqlName } from './schema.ts';
import type { CacheTags } from './tags.ts';

/** Fixed charge per row for the row header and its index entries (PK, LRU and expiry indexes). */
export const ROW_OVERHEAD_BYTES = 64;
export const TAG_OVERHEAD_BYTES = 16;
/**
 * Hit stamps held per table before they are written anyway: twice the table's rows, at least
 * 4,096. Live rows alone never reach it, so without evictions stamps are written only once the
 * stale ones (of rows replaced, expired or invalidated meanwhile) add up; their memory stays
 * within ~2 Maps entries a row. A fixed 4,096 made the store mix (~4,000 cached track pages and
 * lists read at random) write every stamp in batches: the writes were 3.2 % of the server's CPU
 * under `perf` (2026-12-01).
 */
export const pendingStampLimit = (rows: number): number => Math.max(4096, 2 * rows);

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export interface TableStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  hitRate: number | null;
  sets: number;
  evictions: number;
  expirations: number;
  invalidations: number;
  refused: number;
}

export type Counters = Omit<TableStats, 'hitRate'>;
const zero = (): Counters => ({ entries: 0, bytes: 0, hits: 0, misses: 0, sets: 0, evictions: 0, expirations: 0, invalidations: 0, refused: 0 });
const withHitRate = (c: Counters): TableStats => ({ ...c, hitRate: c.hits + c.misses ? c.hits / (c.hits + c.misses) : null });

type RemovedRow = { key: string | null; bytes: number };

interface Victim {
  table: CacheTable;
  rid: number;
  at: number;
}

const perTable = <R>(f: (t: CacheTable, name: string) => R) => Object.fromEntries(cacheTables.map((t) => [t, f(t, sqlName[t])])) as Record<CacheTable, R>;

export class CacheLedger {
  readonly counters: Record<CacheTable, Counters> = perTable(zero);
  private totalBytes = 0;
  private tick = 0;
  private readonly s;
  /** Stamps of hits not yet written: rowid → stamp, per table (see touchIfOld). */
  private readonly pendingStamps = perTable(() => new Map<number, number>());
  private readonly writeStamps: () => void;
  /** Told of every entry row deleted here (evicted, expired; key null: all of them), for the hot copies (entries.ts). */
  private entryRemoved: (table: EntryTable, key: string | null) => void = () => {};

  constructor(
    db: Database.Database,
    readonly maxBytes: number,
    private readonly tags: CacheTags,
  ) {
    this.s = {
      touch: perTable((_t, n) => db.prepare(`UPDATE ${n} SET last_access = ? WHERE rowid = ?`)),
      oldest: perTable((_t, n) => db.prepare(`SELECT rowid AS rid, last_access AS at FROM ${n} ORDER BY last_access LIMIT ?`)),
      evictRow: {
        queries: db.prepare('DELETE FROM cache_queries WHERE rowid = ? RETURNING cache_key AS key, bytes'),
        search: db.prepare('DELETE FROM cache_search_results WHERE rowid = ? RETURNING search_hash AS key, bytes'),
        aggregations: db.prepare('DELETE FROM cache_aggregations WHERE rowid = ? RETURNING NULL AS key, bytes'),
        sessions: db.prepare('DELETE FROM cache_sessions WHERE rowid = ? RETURNING NULL AS key, bytes'),
        // A ranking is only useful whole: evicting one of its rows evicts the ranking.
        popular: db.prepare(
          'DELETE FROM cache_popular_content WHERE content_type = (SELECT content_type FROM cache_popular_content WHERE rowid = ?) RETURNING NULL AS key, bytes',
        ),
      } as Record<CacheTable, Stmt>,
      expire: {
        queries: db.prepare(
          'DELETE FROM cache_queries WHERE rowid IN (SELECT rowid FROM cache_queries WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING cache_key AS key, bytes',
        ),
        search: db.prepare(
          'DELETE FROM cache_search_results WHERE rowid IN (SELECT rowid FROM cache_search_results WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING search_hash AS key, bytes',
        ),
        aggregations: db.prepare(
          'DELETE FROM cache_aggregations WHERE rowid IN (SELECT rowid FROM cache_aggregations WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING NULL AS key, bytes',
        ),
        popular: db.prepare(
          'DELETE FROM cache_popular_content WHERE rowid IN (SELECT rowid FROM cache_popular_content WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING NULL AS key, bytes',
        ),
        sessions: db.prepare(
          'DELETE FROM cache_sessions WHERE rowid IN (SELECT rowid FROM cache_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?) RETURNING NULL AS key, bytes',
        ),
      } as Record<CacheTable, Stmt>,
      clear: perTable((_t, n) => db.prepare(`DELETE FROM ${n}`)),
    };
    this.writeStamps = db.transaction(() => {
      for (const t of cacheTables) {
        for (const [rid, stamp] of this.pendingStamps[t]) this.s.touch[t].run(stamp, rid);
        this.pendingStamps[t].clear();
      }
    });
  }

  onEntryRemoved(listener: (table: EntryTable, key: string | null) => void): void {
    this.entryRemoved = listener;
  }

  /** Bytes currently charged (always ≤ maxBytes). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The next access stamp: a row written or touched now gets it as last_access. */
  stamp(): number {
    return ++this.tick;
  }

  added(table: CacheTable, bytes: number): void {
    this.counters[table].entries++;
    this.counters[table].bytes += bytes;
    this.totalBytes += bytes;
  }

  /** Books rows a table has deleted (`RETURNING bytes`); returns how many. */
  removed(table: CacheTable, rows: readonly { bytes: number }[]): number {
    for (const r of rows) {
      this.counters[table].entries--;
      this.counters[table].bytes -= r.bytes;
      this.totalBytes -= r.bytes;
    }
    return rows.length;
  }

  /**
   * Approximate LRU, and a hit writes nothing. A row is moved to the front only when it is no
   * longer among the most recent quarter of touches (hot rows are not stamped again and again),
   * and the new stamp is kept in memory until an eviction needs the order (makeRoom), then all
   * are written in one transaction. An UPDATE per hit was 7.7 % of the server's CPU on the store
   * mix (thousands of entries each read now and then are nearly all "old"); a first fix that
   * skipped stamps under half the byte cap left Chinook's working set (8.3 MB after the store
   * and full mixes) right at the 8.4 MB mark, and cached track pages took 89–105 µs a request
   * in runs that likely crossed it, 49–68 in the others (docs/BENCHMARKS.md). A stamp left for
   * a row deleted meanwhile updates nothing, or a new row that took its rowid: approximate.
   */
  touchIfOld(table: CacheTable, rid: number, at: number): void {
    const window = this.counters.queries.entries + this.counters.search.entries + this.counters.sessions.entries;
    const pending = this.pendingStamps[table];
    if (this.tick - (pending.get(rid) ?? at) <= window >> 2) return;
    pending.set(rid, ++this.tick);
    // Without evictions the stamps would wait forever, and rows replaced meanwhile (expired,
    // invalidated) leave theirs behind: past the limit, write them all.
    if (pending.size > pendingStampLimit(this.counters[table].entries)) this.writeStamps();
  }

  /** Evicts least-recently-used rows (across all tables) until `bytes` more fit under the cap. */
  makeRoom(bytes: number): void {
    if (this.totalBytes + bytes > this.maxBytes) this.writeStamps();
    while (this.totalBytes + bytes > this.maxBytes) {
      // The oldest few of each table, merged: each lookup is an index seek on last_access.
      const victims: Victim[] = [];
      for (const t of cacheTables) {
        if (this.counters[t].entries === 0) continue;
        for (const r of this.s.oldest[t].all(8) as { rid: number; at: number }[]) victims.push({ table: t, rid: r.rid, at: r.at });
      }
      if (victims.length === 0) throw new Error(`cache accounting out of step: ${this.totalBytes} bytes charged with no rows`);
      victims.sort((a, b) => a.at - b.at);
      for (const v of victims.slice(0, 8)) {
        if (this.totalBytes + bytes <= this.maxBytes) break;
        const rows = this.s.evictRow[v.table].all(v.rid) as RemovedRow[];
        if (rows.length === 0) continue; // already gone with its ranking
        this.dropTagsOf(v.table, rows);
        this.removed(v.table, rows);
        this.counters[v.table].evictions += rows.length;
      }
    }
  }

  /** Deletes up to `batch` expired rows per table; returns how many per table. */
  expire(now: number, batch: number): Record<CacheTable, number> {
    const out = {} as Record<CacheTable, number>;
    for (const t of cacheTables) {
      const rows = this.s.expire[t].all(now, batch) as RemovedRow[];
      this.removed(t, rows);
      this.dropTagsOf(t, rows);
      this.counters[t].expirations += rows.length;
      out[t] = rows.length;
    }
    return out;
  }

  /** Empties every table (counters of hits and misses are kept); returns how many rows went. */
  clear(): number {
    for (const t of cacheTables) this.pendingStamps[t].clear();
    let removed = 0;
    for (const t of cacheTables) {
      removed += this.counters[t].entries;
      this.s.clear[t].run();
      this.totalBytes -= this.counters[t].bytes;
      this.counters[t].entries = 0;
      this.counters[t].bytes = 0;
    }
    this.tags.clear();
    this.entryRemoved('queries', null);
    this.entryRemoved('search', null);
    return removed;
  }

  stats(): { total: TableStats; tables: Record<CacheTable, TableStats> } {
    const total = zero();
    for (const t of cacheTables) for (const k of Object.keys(total) as (keyof Counters)[]) total[k] += this.counters[t][k];
    return { total: withHitRate(total), tables: perTable((t) => withHitRate(this.counters[t])) };
  }

  private dropTagsOf(table: CacheTable, rows: readonly RemovedRow[]): void {
    if (table !== 'queries' && table !== 'search') return;
    for (const r of rows) {
      this.tags.removeOf(table, r.key as string);
      this.entryRemoved(table, r.key as string);
    }
  }
}
