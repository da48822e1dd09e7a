// JSON entries addressed by one key (tables cache_queries and cache_search_results): what
// get/set/remember and tag invalidation work on. Each is stored with its ETag, computed once.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { type CacheLedger, ROW_OVERHEAD_BYTES, TAG_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import { type EntryTable, type Stmt, sqlName } from './schema.ts';
import type { CacheTags } from './tags.ts';

export interface Entry {
  json: string;
  etag: string;
}

/** A hot entry: what a hit needs without a cache-database read (the row's id and stamp, for the LRU). */
interface HotEntry {
  entry: Entry;
  rid: number;
  at: number;
  expiresAt: number;
}

/**
 * Entries up to this many characters are kept hot: a track page is ~1,100, an album page or a
 * page of search results several times that. The per-read cost saved is fixed, so small
 * entries gain most, and they are the ones read most (55 % of the store mix is track pages).
 */
export const HOT_MAX_ENTRY_CHARS = 4096;
/** What a hot entry costs beyond its characters: the object, the ETag string, the LRU's slots. */
const HOT_OVERHEAD_BYTES = 160;

/** One key space for the hot copies of both tables (a NUL never starts a cache key). */
const hotKeyOf = (table: EntryTable, key: string) => (table === 'queries' ? key : `\u0000${key}`);

export const etagOf = (json: string): string => `"${createHash('sha1').update(json).digest('base64url')}"`;

const entryKey: Record<EntryTable, string> = { queries: 'cache_key', search: 'search_hash' };
const perEntryTable = <R>(f: (t: EntryTable, name: string, key: string) => R) =>
  ({ queries: f('queries', sqlName.queries, entryKey.queries), search: f('search', sqlName.search, entryKey.search) }) as Record<EntryTable, R>;

export class EntryStore {
  private readonly s;
  private readonly txSet;
  private readonly txInvalidate;
  /**
   * The most-read small entries as V8 strings, in front of the cache database: a hit then
   * costs a map lookup instead of a SQLite read and a fresh copy of the JSON. Over HTTP that
   * read cost 10–15 µs of a cached track page's CPU, and the hot copy took 4–8 µs (~8 %) off
   * it, for 2–12 MiB more RSS at the load mixes' peaks, so it is off unless configured
   * (CHINOOK_CACHE_HOT_BYTES; docs/benchmarks-http.md, "Hot entries"). The database stays the
   * record: an entry is hot only while its row exists (every path that deletes a row drops it
   * here, see forget), and a hot hit stamps the row's LRU order as a read from the table does.
   * Bounded by hotBytes; null when 0.
   */
  private readonly hot: LRUCache<string, HotEntry> | null;

  constructor(
    db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly tags: CacheTags,
    private readonly now: () => number,
    hotBytes = 0,
  ) {
    this.hot =
      hotBytes > 0
        ? new LRUCache<string, HotEntry>({
            maxSize: hotBytes,
            maxEntrySize: HOT_MAX_ENTRY_CHARS + HOT_OVERHEAD_BYTES,
            sizeCalculation: (h) => h.entry.json.length + HOT_OVERHEAD_BYTES,
          })
        : null;
    ledger.onEntryRemoved((table, key) => this.forget(table, key));
    this.s = {
      // A hit is a read; the LRU touch is a separate write done only when the row has aged (see touchIfOld).
      // Rows as arrays (raw): no object built per hit, 2.2 → 1.8 µs a read of 3,500 track pages.
      hit: perEntryTable((_t, n, k) =>
        db.prepare(`SELECT result_data, etag, rowid, last_access, expires_at FROM ${n} WHERE ${k} = ? AND expires_at > ?`).raw(),
      ),
      remove: perEntryTable((_t, n, k) => db.prepare(`DELETE FROM ${n} WHERE ${k} = ? RETURNING bytes`)),
      insert: {
        queries: db.prepare(
          'INSERT INTO cache_queries (cache_key, result_data, etag, bytes, created_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
        // The seed's query_text holds the key: the capability's cached.ts keys a search by its whole request.
        search: db.prepare(
          'INSERT INTO cache_search_results (search_hash, query_text, result_data, etag, result_count, bytes, created_at, expires_at, last_access) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)',
        ),
      } as Record<EntryTable, Stmt>,
    };

    this.txSet = db.transaction((table: EntryTable, key: string, entry: Entry, bytes: number, tags: readonly string[], ttl: number) => {
      this.remove(table, key);
      this.ledger.makeRoom(bytes);
      const now = this.now();
      const at = this.ledger.stamp();
      if (table === 'queries') this.s.insert.queries.run(key, entry.json, entry.etag, bytes, now, now + ttl * 1000, at);
      else this.s.insert.search.run(key, key, entry.json, entry.etag, bytes, now, now + ttl * 1000, at);
      this.tags.add(table, key, tags);
      this.ledger.added(table, bytes);
      this.ledger.counters[table].sets++;
    });

    this.txInvalidate = db.transaction((tags: readonly string[]) => {
      let removed = 0;
      for (const tag of tags) {
        for (const { table, key } of this.tags.entriesWith(tag)) {
          if (this.remove(table, key)) {
            this.ledger.counters[table].invalidations++;
            removed++;
          }
        }
      }
      return removed;
    });
  }

  /** The stored JSON and its ETag, or undefined on a miss (absent or expired). */
  get(key: string, table: EntryTable): Entry | undefined {
    const now = this.now();
    const hot = this.hot?.get(hotKeyOf(table, key));
    if (hot !== undefined && hot.expiresAt > now) {
      this.ledger.counters[table].hits++;
      this.ledger.touchIfOld(table, hot.rid, hot.at);
      return hot.entry;
    }
    const row = this.s.hit[table].get(key, now) as [json: string, etag: string, rid: number, at: number, expiresAt: number] | undefined;
    if (!row) {
      this.ledger.counters[table].misses++;
      return undefined;
    }
    this.ledger.counters[table].hits++;
    this.ledger.touchIfOld(table, row[2], row[3]);
    const entry = { json: row[0], etag: row[1] };
    if (this.hot !== null && entry.json.length <= HOT_MAX_ENTRY_CHARS)
      this.hot.set(hotKeyOf(table, key), { entry, rid: row[2], at: row[3], expiresAt: row[4] });
    return entry;
  }

  /** Hot entries: how many, their estimated bytes, the bound. */
  hotStats(): { entries: number; bytes: number; maxBytes: number } {
    return { entries: this.hot?.size ?? 0, bytes: this.hot?.calculatedSize ?? 0, maxBytes: this.hot?.maxSize ?? 0 };
  }

  /** Drops the hot copy of an entry whose row is gone (all of them when key is null). */
  private forget(table: EntryTable, key: string | null): void {
    if (this.hot === null) return;
    if (key === null) this.hot.clear();
    else this.hot.delete(hotKeyOf(table, key));
  }

  /** What storing this entry charges: key, JSON, each tag (with the key again) and the row overheads. */
  bytesOf(key: string, json: string, tags: readonly string[]): number {
    const k = utf8Bytes(key);
    let bytes = k + utf8Bytes(json) + 30 + ROW_OVERHEAD_BYTES;
    for (const tag of tags) bytes += utf8Bytes(tag) + k + TAG_OVERHEAD_BYTES;
    return bytes;
  }

  /** Replaces the entry (and its tags) in one transaction, evicting LRU rows to make room. */
  set(table: EntryTable, key: string, entry: Entry, bytes: number, tags: readonly string[], ttlSeconds: number): void {
    this.txSet(table, key, entry, bytes, tags, ttlSeconds);
  }

  remove(table: EntryTable, key: string): boolean {
    this.forget(table, key);
    const rows = this.s.remove[table].all(key) as { bytes: number }[];
    if (rows.length === 0) return false;
    this.tags.removeOf(table, key);
    this.ledger.removed(table, rows);
    return true;
  }

  /** Removes every entry carrying any of the tags; returns how many went. */
  invalidate(tags: readonly string[]): number {
    return this.txInvalidate(tags);
  }
}
