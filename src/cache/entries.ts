// JSON entries addressed by one key (tables cache_queries and cache_search_results): what
// get/set/remember and tag invalidation work on. Each is stored with its ETag, computed once;
// a small entry's body is held by the process beside its row (see EntryStore.held).
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type CacheLedger, ROW_OVERHEAD_BYTES, TAG_OVERHEAD_BYTES, utf8Bytes } from './ledger.ts';
import { type EntryTable, type Stmt, sqlName } from './schema.ts';
import type { CacheTags } from './tags.ts';

export interface Entry {
  json: string;
  etag: string;
}

/** An entry whose body the process holds: what a hit needs without a cache-database read (the row's id and stamp, for the LRU). */
interface HeldEntry {
  entry: Entry;
  rid: number;
  at: number;
  expiresAt: number;
}

/**
 * Entries up to this many characters keep their body in the process, not in their row: a track
 * page is ~1,100, an album page or a page of search results several times that. The per-read
 * cost saved is fixed, so small entries gain most, and they are the ones read most (55 % of the
 * store mix is track pages).
 */
export const HELD_MAX_CHARS = 4096;

/** One key space for the held entries of both tables (a NUL never starts a cache key). */
const heldKeyOf = (table: EntryTable, key: string) => (table === 'queries' ? key : `\u0000${key}`);

export const etagOf = (json: string): string => `"${createHash('sha1').update(json).digest('base64url')}"`;

const entryKey: Record<EntryTable, string> = { queries: 'cache_key', search: 'search_hash' };
const perEntryTable = <R>(f: (t: EntryTable, name: string, key: string) => R) =>
  ({ queries: f('queries', sqlName.queries, entryKey.queries), search: f('search', sqlName.search, entryKey.search) }) as Record<EntryTable, R>;

export class EntryStore {
  private readonly s;
  private readonly txSet;
  private readonly txInvalidate;
  /**
   * The bodies of small entries (up to HELD_MAX_CHARS), held as V8 strings beside their rows,
   * whose result_data is then empty: a hit costs a map lookup instead of a SQLite read and a
   * fresh copy of the JSON. Over HTTP that read cost 10–15 µs of a cached track page's CPU; held
   * bodies took 13 % off a track page on a server after the full mix (bench:paired against the
   * build before, B ÷ A 1.150 over 16 pairs, 2026-12-02 18:12 UTC). Held, not copied: a copy beside the row's own (the hot copies before
   * this) put 12–15 MiB on the peak under load for 6 MiB of copies (docs/benchmarks-http.md,
   * "Hot entries"). The row stays the record of the entry (key, ETag, bytes charged against the
   * budget, tags, expiry, LRU order): a body is held only while its row exists (every path that
   * deletes a row drops it here, see forget), and a hit stamps the row's LRU order as a read
   * from the table does.
   */
  private readonly held = new Map<string, HeldEntry>();
  /** The held bodies' characters, kept as they come and go (stats are read per set by bench/cache-memory.ts). */
  private heldChars = 0;

  constructor(
    db: Database.Database,
    private readonly ledger: CacheLedger,
    private readonly tags: CacheTags,
    private readonly now: () => number,
    private readonly heldMaxChars = HELD_MAX_CHARS,
  ) {
    ledger.onEntryRemoved((table, key) => this.forget(table, key));
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
      const expiresAt = now + ttl * 1000;
      const held = entry.json.length <= this.heldMaxChars;
      const body = held ? '' : entry.json;
      const { lastInsertRowid } =
        table === 'queries'
          ? this.s.insert.queries.run(key, body, entry.etag, bytes, now, expiresAt, at)
          : this.s.insert.search.run(key, key, body, entry.etag, bytes, now, expiresAt, at);
      this.tags.add(table, key, tags);
      this.ledger.added(table, bytes);
      this.ledger.counters[table].sets++;
      // Last, so that a statement that throws above leaves nothing held (the transaction rolls the
      // row back, and set() drops every held body: trustingNothingIfItThrows).
      if (held) {
        this.held.set(heldKeyOf(table, key), { entry, rid: Number(lastInsertRowid), at, expiresAt });
        this.heldChars += entry.json.length;
      }
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
    const held = this.held.get(heldKeyOf(table, key));
    if (held !== undefined) {
      // Expired and not yet swept: a miss, as the row's `expires_at > ?` would make it.
      if (held.expiresAt <= now) {
        this.ledger.counters[table].misses++;
        return undefined;
      }
      this.ledger.counters[table].hits++;
      this.ledger.touchIfOld(table, held.rid, held.at);
      return held.entry;
    }
    const row = this.s.hit[table].get(key, now) as [json: string, etag: string, rid: number, at: number] | undefined;
    // A row with an empty body belongs to a held entry; without it here it is no answer (never seen: forget runs with every delete).
    if (!row || row[0] === '') {
      this.ledger.counters[table].misses++;
      return undefined;
    }
    this.ledger.counters[table].hits++;
    this.ledger.touchIfOld(table, row[2], row[3]);
    return { json: row[0], etag: row[1] };
  }

  /** Held entries: how many, and the characters of their bodies. */
  heldStats(): { entries: number; chars: number } {
    return { entries: this.held.size, chars: this.heldChars };
  }

  /** Drops the body of an entry whose row is gone (all of them when key is null). */
  private forget(table: EntryTable, key: string | null): void {
    if (key === null) {
      this.dropAllHeld();
      return;
    }
    const k = heldKeyOf(table, key);
    const h = this.held.get(k);
    if (h === undefined) return;
    this.heldChars -= h.entry.json.length;
    this.held.delete(k);
  }

  private dropAllHeld(): void {
    this.held.clear();
    this.heldChars = 0;
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
    this.trustingNothingIfItThrows(() => this.txSet(table, key, entry, bytes, tags, ttlSeconds));
  }

  remove(table: EntryTable, key: string): boolean {
    this.forget(table, key);
    const rows = this.trustingNothingIfItThrows(() => this.s.remove[table].all(key) as { bytes: number }[]);
    if (rows.length === 0) return false;
    this.tags.removeOf(table, key);
    this.ledger.removed(table, rows);
    return true;
  }

  /** Removes every entry carrying any of the tags; returns how many went. */
  invalidate(tags: readonly string[]): number {
    return this.trustingNothingIfItThrows(() => this.txInvalidate(tags));
  }

  /**
   * Runs a change of the cache database; if it throws, drops every held body. A held hit never
   * reads the database, so when an invalidation cannot even find its rows (a broken cache
   * database: test/cache/http.test.ts, "a broken cache"), the bodies it should have removed
   * would otherwise go on answering. Without them, reads miss (or throw) and fall through to
   * the primary.
   */
  trustingNothingIfItThrows<T>(change: () => T): T {
    try {
      return change();
    } catch (err) {
      this.dropAllHeld();
      throw err;
    }
  }
}
