// JSON entries addressed by one key (tables cache_queries and cache_search_results): what
// get/set/remember and tag invalidation work on. Each is stored with its ETag, computed once.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type CacheLedger, ROW_OVERHEAD_BYTES, TAG_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import { type EntryTable, type Stmt, sqlName } from './schema.ts';
import type { CacheTags } from './tags.ts';

export interface Entry {
  json: string;
  etag: string;
}

export const etagOf = (json: string): string => `"${createHash('sha1').update(json).digest('base64url')}"`;

const entryKey: Record<EntryTable, string> = { queries: 'cache_key', search: 'search_hash' };
const perEntryTable = <R>(f: (t: EntryTable, name: string, key: string) => R) =>
  ({ queries: f('queries', sqlName.queries, entryKey.queries), search: f('search', sqlName.search, entryKey.search) }) as Record<EntryTable, R>;

export class EntryStore {
  private readonly s;
  private readonly txSet;
  private readonly txInvalidate;

  constructor(
    db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly tags: CacheTags,
    private readonly now: () => number,
  ) {
    this.s = {
      // A hit is a read; the LRU touch is a separate write done only when the row has aged (see touchIfOld).
      // Rows as arrays (raw): no object built per hit, 2.2 → 1.8 µs a read of 3,500 track pages.
      hit: perEntryTable((_t, n, k) => db.prepare(`SELECT result_data, etag, rowid, last_access FROM ${n} WHERE ${k} = ? AND expires_at > ?`).raw()),
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
    const row = this.s.hit[table].get(key, this.now()) as [json: string, etag: string, rid: number, at: number] | undefined;
    if (!row) {
      this.ledger.counters[table].misses++;
      return undefined;
    }
    this.ledger.counters[table].hits++;
    this.ledger.touchIfOld(table, row[2], row[3]);
    return { json: row[0], etag: row[1] };
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
