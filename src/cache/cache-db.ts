// The cache database: one `:memory:` SQLite connection per process holding query results,
// search results, aggregations, popularity rankings and hot session copies. This class is the
// front of it; the parts are schema.ts (tables), ledger.ts (byte cap, LRU order, counters),
// tags.ts, and one store per table (entries.ts, aggregations.ts, popular.ts, sessions.ts).
//
// - Expiry: expired rows are never served (every read filters on expires_at); a timer
//   deletes them in small batches.
// - Single flight: concurrent misses for one key share one computation.
// - Invalidation bumps a generation counter, so a computation that started before it cannot
//   store its (possibly stale) result after it.
import type Database from 'better-sqlite3';
import { AggregationStore } from './aggregations.ts';
import { type Entry, EntryStore, etagOf } from './entries.ts';
import { CacheLedger, type TableStats } from './ledger.ts';
import { PopularStore } from './popular.ts';
import { type CacheTable, type EntryTable, openCacheDatabase } from './schema.ts';
import { SessionStore } from './sessions.ts';
import { CacheTags } from './tags.ts';

export { AggregationStore } from './aggregations.ts';
export { type Entry, etagOf } from './entries.ts';
export { ROW_OVERHEAD_BYTES, type TableStats, utf8Bytes } from './ledger.ts';
export { type PopularItem, PopularStore } from './popular.ts';
export { type CacheTable, cacheTables, type EntryTable, type Stmt } from './schema.ts';
export { type CachedSession, SessionStore } from './sessions.ts';

export interface CacheTtls {
  sessions: number;
  queries: number;
  aggregations: number;
  search: number;
  popular: number;
}

/** The seed's defaults (§6.2), in seconds. */
export const defaultTtls: CacheTtls = { sessions: 7200, queries: 300, aggregations: 1800, search: 600, popular: 3600 };

export interface CacheLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CacheOptions {
  maxBytes?: number;
  maxEntryBytes?: number;
  /** Entries up to this many characters have their body held by the process (entries.ts); 0 holds none (tests compare the two). */
  heldMaxChars?: number;
  ttls?: Partial<CacheTtls>;
  /** Milliseconds since the epoch; tests pass a fake one to step over TTLs. */
  clock?: () => number;
  /** How often the expiry sweep runs (0 = never; call cleanup() yourself). */
  cleanupIntervalMs?: number;
  /** Rows deleted per table per sweep step; steps yield to the event loop in between. */
  cleanupBatch?: number;
  logger?: CacheLogger;
}

export interface SetOptions {
  tags?: readonly string[];
  ttlSeconds?: number;
  table?: EntryTable;
}

export interface RememberOptions<T> {
  /** Tags, or a function of the computed value (e.g. a track's album and artist ids). */
  tags?: readonly string[] | ((value: T) => readonly string[]);
  ttlSeconds?: number;
  table?: EntryTable;
}

export interface CacheStats {
  maxBytes: number;
  maxEntryBytes: number;
  total: TableStats;
  tables: Record<CacheTable, TableStats>;
  tags: number;
  inFlight: number;
  /** Entries whose body the process holds beside their row (entries.ts): how many, and their bodies' characters. */
  held: { entries: number; chars: number };
  pragmas: Record<string, unknown>;
}

const consoleLogger: CacheLogger = {
  warn: (obj, msg) => console.warn(`cache: ${msg}`, obj),
  error: (obj, msg) => console.error(`cache: ${msg}`, obj),
};

export class CacheDb {
  readonly db: Database.Database;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly ttls: CacheTtls;
  logger: CacheLogger;
  readonly aggregations: AggregationStore;
  readonly popular: PopularStore;
  readonly sessions: SessionStore;
  private readonly now: () => number;
  private readonly ledger: CacheLedger;
  private readonly tags: CacheTags;
  private readonly entries: EntryStore;
  private generation = 0;
  private readonly inflight = new Map<string, { generation: number; promise: Promise<{ entry: Entry; value?: unknown }> }>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly cleanupBatch: number;

  constructor(options: CacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? 1024 * 1024, this.maxBytes);
    this.ttls = { ...defaultTtls, ...options.ttls };
    this.now = options.clock ?? Date.now;
    this.logger = options.logger ?? consoleLogger;
    this.cleanupBatch = options.cleanupBatch ?? 500;

    const db = openCacheDatabase();
    this.db = db;
    this.tags = new CacheTags(db);
    this.ledger = new CacheLedger(db, this.maxBytes, this.tags);
    this.entries = new EntryStore(db, this.ledger, this.tags, this.now, options.heldMaxChars);
    this.aggregations = new AggregationStore(db, this.ledger, this.now, () => this.ttls.aggregations);
    this.popular = new PopularStore(db, this.ledger, this.now, () => this.ttls.popular);
    this.sessions = new SessionStore(db, this.ledger, {
      now: this.now,
      ttlSeconds: () => this.ttls.sessions,
      maxEntryBytes: this.maxEntryBytes,
      warn: (obj, msg) => this.logger.warn(obj, msg),
    });

    const interval = options.cleanupIntervalMs ?? 30_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.sweep(), interval);
      this.timer.unref();
    }
  }

  // ---- generic JSON entries -------------------------------------------------------------

  /** The stored JSON and its ETag, or undefined on a miss (absent or expired). */
  getEntry(key: string, table: EntryTable = 'queries'): Entry | undefined {
    return this.entries.get(key, table);
  }

  get<T = unknown>(key: string, table: EntryTable = 'queries'): T | undefined {
    const entry = this.entries.get(key, table);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  /** Stores a JSON-serialisable value; returns the stored entry, or undefined when it was refused (too large). */
  set(key: string, value: unknown, options: SetOptions = {}): Entry | undefined {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`cache.set(${key}): value is not JSON-serialisable`);
    return this.setJson(key, json, options);
  }

  setJson(key: string, json: string, options: SetOptions = {}): Entry | undefined {
    const table = options.table ?? 'queries';
    const tags = [...new Set(options.tags ?? [])];
    const bytes = this.entries.bytesOf(key, json, tags);
    const entry = { json, etag: etagOf(json) };
    if (bytes > this.maxEntryBytes) {
      this.ledger.counters[table].refused++;
      this.logger.warn({ key, bytes, maxEntryBytes: this.maxEntryBytes }, 'entry over the per-entry limit: not stored');
      this.delete(key, table);
      return undefined;
    }
    this.entries.set(table, key, entry, bytes, tags, options.ttlSeconds ?? this.ttls[table]);
    return entry;
  }

  delete(key: string, table: EntryTable = 'queries'): boolean {
    return this.entries.remove(table, key);
  }

  /** Cache-aside with single flight; the value is whatever compute returned (treat it as read-only). */
  async remember<T>(key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Promise<T> {
    const cached = this.safely(() => this.entries.get(key, options.table ?? 'queries'), undefined, 'read');
    if (cached) return JSON.parse(cached.json) as T;
    const r = await this.fill(key, options, compute);
    return ('value' in r ? r.value : JSON.parse(r.entry.json)) as T;
  }

  /**
   * Like remember, but hands back the serialised JSON and its ETag (what an HTTP reply needs).
   * A hit is the entry itself, in the caller's turn; only a miss is a promise. (An `async`
   * version made three promises and their microtask hops for every cached page.)
   */
  rememberJson<T>(key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Entry | Promise<Entry> {
    const cached = this.safely(() => this.entries.get(key, options.table ?? 'queries'), undefined, 'read');
    if (cached) return cached;
    return this.fill(key, options, compute).then((r) => r.entry);
  }

  private fill<T>(key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Promise<{ entry: Entry; value?: unknown }> {
    const flightKey = `${options.table ?? 'queries'}\u0000${key}`;
    const running = this.inflight.get(flightKey);
    if (running && running.generation === this.generation) return running.promise;
    const generation = this.generation;
    const promise = (async () => {
      const value = await compute();
      const json = JSON.stringify(value);
      const tags = typeof options.tags === 'function' ? options.tags(value) : (options.tags ?? []);
      // An invalidation that happened while we computed may concern what we read: don't store it.
      const stored =
        generation === this.generation
          ? this.safely(() => this.setJson(key, json, { tags, ttlSeconds: options.ttlSeconds, table: options.table }), undefined, 'write')
          : undefined;
      return { entry: stored ?? { json, etag: etagOf(json) }, value };
    })();
    const flight = { generation, promise };
    this.inflight.set(flightKey, flight);
    const done = () => {
      if (this.inflight.get(flightKey) === flight) this.inflight.delete(flightKey);
    };
    promise.then(done, done);
    return promise;
  }

  /** Removes every entry carrying any of the tags; returns how many went. */
  invalidateTags(tags: readonly string[]): number {
    this.generation++;
    if (tags.length === 0) return 0;
    return this.entries.invalidate(tags);
  }

  /** Empties every table (counters of hits and misses are kept). */
  flush(): number {
    this.generation++;
    return this.entries.trustingNothingIfItThrows(() => this.ledger.clear());
  }

  // ---- maintenance ----------------------------------------------------------------------

  /** Deletes up to `batch` expired rows per table; returns how many per table. */
  cleanup(batch = this.cleanupBatch): Record<CacheTable, number> {
    return this.entries.trustingNothingIfItThrows(() => this.ledger.expire(this.now(), batch));
  }

  /** One timer tick: batches until nothing expired is left, yielding between batches. */
  private sweep(): void {
    if (this.sweeping || !this.db.open) return;
    this.sweeping = true;
    const step = () => {
      try {
        const removed = this.cleanup();
        if (this.db.open && Object.values(removed).some((n) => n >= this.cleanupBatch)) {
          setImmediate(step);
          return;
        }
      } catch (err) {
        this.logger.error({ err }, 'expiry sweep failed');
      }
      this.sweeping = false;
    };
    step();
  }

  stats(): CacheStats {
    const { total, tables } = this.ledger.stats();
    return {
      maxBytes: this.maxBytes,
      maxEntryBytes: this.maxEntryBytes,
      total,
      tables,
      tags: this.tags.count(),
      inFlight: this.inflight.size,
      held: this.entries.heldStats(),
      pragmas: Object.fromEntries(
        ['synchronous', 'journal_mode', 'temp_store', 'cache_size', 'page_size', 'page_count', 'freelist_count'].map((p) => [
          p,
          this.db.pragma(p, { simple: true }),
        ]),
      ),
    };
  }

  /** Bytes currently charged (always ≤ maxBytes). */
  get bytes(): number {
    return this.ledger.bytes;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.inflight.clear();
    if (this.db.open) this.db.close();
  }

  /** Runs a cache operation; a failure is logged and answered with `fallback`, never thrown at a request. */
  private safely<R>(fn: () => R, fallback: R, op: string): R {
    try {
      return fn();
    } catch (err) {
      this.logger.error({ err, op }, 'cache operation failed; falling through to the primary');
      return fallback;
    }
  }
}
