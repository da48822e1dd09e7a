// The cache database: one `:memory:` SQLite connection per process holding query results,
// search results, aggregations, popularity rankings and hot session copies.
//
// - Expiry: expired rows are never served (every read filters on expires_at); a timer
//   deletes them in small batches.
// - Byte cap: each row is charged its payload, key and tag sizes plus a fixed overhead.
//   Before an insert, least-recently-used rows are evicted until the new row fits, so the
//   charged total never exceeds the cap. LRU order is a per-process access counter kept in an
//   indexed column: finding the oldest row is an index seek, not a scan (approximate: see touchIfOld).
// - Tags: a (tag, table, cache_key) table with its own index, never LIKE over JSON.
// - Single flight: concurrent misses for one key share one computation.
// - Invalidation bumps a generation counter, so a computation that started before it cannot
//   store its (possibly stale) result after it.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

export type Stmt = Database.Statement<unknown[], unknown>;

export const cacheTables = ['queries', 'search', 'aggregations', 'popular', 'sessions'] as const;
export type CacheTable = (typeof cacheTables)[number];
/** The tables holding JSON entries addressed by one key (get/set/remember/tags). */
export type EntryTable = 'queries' | 'search';

const sqlName: Record<CacheTable, string> = {
  queries: 'cache_queries',
  search: 'cache_search_results',
  aggregations: 'cache_aggregations',
  popular: 'cache_popular_content',
  sessions: 'cache_sessions',
};
const tableCode: Record<EntryTable, number> = { queries: 0, search: 1 };

/** Fixed charge per row for the row header and its index entries (PK, LRU and expiry indexes). */
export const ROW_OVERHEAD_BYTES = 64;
const TAG_OVERHEAD_BYTES = 16;

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
  ttls?: Partial<CacheTtls>;
  /** Milliseconds since the epoch; tests pass a fake one to step over TTLs. */
  clock?: () => number;
  /** How often the expiry sweep runs (0 = never; call cleanup() yourself). */
  cleanupIntervalMs?: number;
  /** Rows deleted per table per sweep step; steps yield to the event loop in between. */
  cleanupBatch?: number;
  logger?: CacheLogger;
}

export interface Entry {
  json: string;
  etag: string;
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

export interface CacheStats {
  maxBytes: number;
  maxEntryBytes: number;
  total: TableStats;
  tables: Record<CacheTable, TableStats>;
  tags: number;
  inFlight: number;
  pragmas: Record<string, unknown>;
}

type Counters = Omit<TableStats, 'hitRate'>;
const zero = (): Counters => ({ entries: 0, bytes: 0, hits: 0, misses: 0, sets: 0, evictions: 0, expirations: 0, invalidations: 0, refused: 0 });

const consoleLogger: CacheLogger = {
  warn: (obj, msg) => console.warn(`cache: ${msg}`, obj),
  error: (obj, msg) => console.error(`cache: ${msg}`, obj),
};

export const etagOf = (json: string): string => `"${createHash('sha1').update(json).digest('base64url')}"`;

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export interface PopularItem {
  id: number;
  score: number;
}

export interface CachedSession {
  id: string;
  userId: number | null;
  payload: unknown;
  lastActivity: number;
  expiresAt: number;
}

interface Victim {
  table: CacheTable;
  rid: number;
  at: number;
}

export class CacheDb {
  readonly db: Database.Database;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly ttls: CacheTtls;
  logger: CacheLogger;
  private readonly now: () => number;
  private readonly counters: Record<CacheTable, Counters>;
  private totalBytes = 0;
  private tick = 0;
  private generation = 0;
  private readonly inflight = new Map<string, { generation: number; promise: Promise<{ entry: Entry; value?: unknown }> }>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly cleanupBatch: number;
  private readonly s;
  private readonly txSetEntry;
  private readonly txInvalidate;

  constructor(options: CacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = Math.min(options.maxEntryBytes ?? 1024 * 1024, this.maxBytes);
    this.ttls = { ...defaultTtls, ...options.ttls };
    this.now = options.clock ?? Date.now;
    this.logger = options.logger ?? consoleLogger;
    this.cleanupBatch = options.cleanupBatch ?? 500;
    this.counters = Object.fromEntries(cacheTables.map((t) => [t, zero()])) as Record<CacheTable, Counters>;

    const db = new Database(':memory:');
    this.db = db;
    db.pragma('synchronous = OFF');
    db.pragma('journal_mode = MEMORY');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32768');
    // One connection per process: nobody else can take a lock, so skip lock bookkeeping.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec(`
      CREATE TABLE cache_queries (
        cache_key TEXT PRIMARY KEY, result_data TEXT NOT NULL, etag TEXT NOT NULL, bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_access INTEGER NOT NULL);
      CREATE TABLE cache_search_results (
        search_hash TEXT PRIMARY KEY, query_text TEXT NOT NULL, result_data TEXT NOT NULL, etag TEXT NOT NULL,
        result_count INTEGER, bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_access INTEGER NOT NULL);
      CREATE TABLE cache_aggregations (
        metric_name TEXT NOT NULL, dimension_key TEXT NOT NULL, metric_value REAL NOT NULL, bytes INTEGER NOT NULL,
        computed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_access INTEGER NOT NULL,
        PRIMARY KEY (metric_name, dimension_key));
      CREATE TABLE cache_popular_content (
        content_type TEXT NOT NULL, content_id INTEGER NOT NULL, popularity_score REAL NOT NULL, rank_position INTEGER NOT NULL,
        bytes INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_access INTEGER NOT NULL,
        PRIMARY KEY (content_type, content_id));
      CREATE INDEX cache_popular_rank ON cache_popular_content(content_type, rank_position);
      CREATE TABLE cache_sessions (
        id TEXT PRIMARY KEY, user_id INTEGER, payload TEXT NOT NULL, bytes INTEGER NOT NULL,
        last_activity INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_access INTEGER NOT NULL);
      CREATE INDEX cache_sessions_user ON cache_sessions(user_id);
      CREATE TABLE cache_tags (
        tag TEXT NOT NULL, tbl INTEGER NOT NULL, cache_key TEXT NOT NULL,
        PRIMARY KEY (tag, tbl, cache_key)) WITHOUT ROWID;
      CREATE INDEX cache_tags_by_key ON cache_tags(tbl, cache_key);
    `);
    for (const t of Object.values(sqlName)) {
      db.exec(`CREATE INDEX ${t}_lru ON ${t}(last_access); CREATE INDEX ${t}_exp ON ${t}(expires_at);`);
    }

    const entryKey = { queries: 'cache_key', search: 'search_hash' } as const;
    const perEntryTable = <R>(f: (t: EntryTable, name: string, key: string) => R) =>
      ({ queries: f('queries', sqlName.queries, entryKey.queries), search: f('search', sqlName.search, entryKey.search) }) as Record<EntryTable, R>;
    const perTable = <R>(f: (t: CacheTable, name: string) => R) => Object.fromEntries(cacheTables.map((t) => [t, f(t, sqlName[t])])) as Record<CacheTable, R>;

    this.s = {
      // A hit is a read; the LRU touch is a separate write done only when the row has aged (see touchIfOld).
      hit: perEntryTable((_t, n, k) =>
        db.prepare(`SELECT rowid AS rid, result_data AS json, etag, last_access AS at FROM ${n} WHERE ${k} = ? AND expires_at > ?`),
      ),
      touch: perTable((_t, n) => db.prepare(`UPDATE ${n} SET last_access = ? WHERE rowid = ?`)),
      removeEntry: perEntryTable((_t, n, k) => db.prepare(`DELETE FROM ${n} WHERE ${k} = ? RETURNING bytes`)),
      insertQuery: db.prepare(
        'INSERT INTO cache_queries (cache_key, result_data, etag, bytes, created_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertSearch: db.prepare(
        'INSERT INTO cache_search_results (search_hash, query_text, result_data, etag, result_count, bytes, created_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertTag: db.prepare('INSERT OR IGNORE INTO cache_tags (tag, tbl, cache_key) VALUES (?, ?, ?)'),
      removeTagsOf: db.prepare('DELETE FROM cache_tags WHERE tbl = ? AND cache_key = ?'),
      keysForTag: db.prepare('SELECT tbl, cache_key AS key FROM cache_tags WHERE tag = ?'),
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
      clearTags: db.prepare('DELETE FROM cache_tags'),
      countTags: db.prepare('SELECT count(*) AS n FROM cache_tags'),
      aggGet: db.prepare('SELECT metric_value AS v FROM cache_aggregations WHERE metric_name = ? AND dimension_key = ? AND expires_at > ?'),
      aggAdd: db.prepare(
        'UPDATE cache_aggregations SET metric_value = metric_value + ?, computed_at = ?, last_access = ? WHERE metric_name = ? AND dimension_key = ? AND expires_at > ? RETURNING metric_value AS v',
      ),
      aggRemove: db.prepare('DELETE FROM cache_aggregations WHERE metric_name = ? AND dimension_key = ? RETURNING bytes'),
      aggInsert: db.prepare(
        'INSERT INTO cache_aggregations (metric_name, dimension_key, metric_value, bytes, computed_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      popGet: db.prepare(
        'SELECT content_id AS id, popularity_score AS score FROM cache_popular_content WHERE content_type = ? AND expires_at > ? ORDER BY rank_position LIMIT ?',
      ),
      popRemove: db.prepare('DELETE FROM cache_popular_content WHERE content_type = ? RETURNING bytes'),
      popInsert: db.prepare(
        'INSERT INTO cache_popular_content (content_type, content_id, popularity_score, rank_position, bytes, updated_at, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      sesGet: db.prepare(
        'SELECT rowid AS rid, id, user_id AS userId, payload, last_activity AS lastActivity, expires_at AS expiresAt, last_access AS at FROM cache_sessions WHERE id = ? AND expires_at > ?',
      ),
      sesRemove: db.prepare('DELETE FROM cache_sessions WHERE id = ? RETURNING bytes'),
      sesRemoveUser: db.prepare('DELETE FROM cache_sessions WHERE user_id = ? RETURNING bytes'),
      sesInsert: db.prepare('INSERT INTO cache_sessions (id, user_id, payload, bytes, last_activity, expires_at, last_access) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };

    this.txSetEntry = db.transaction(
      (table: EntryTable, key: string, entry: Entry, bytes: number, tags: readonly string[], ttl: number, query?: string, count?: number) => {
        this.removeEntry(table, key);
        this.makeRoom(bytes);
        const now = this.now();
        const at = ++this.tick;
        if (table === 'queries') this.s.insertQuery.run(key, entry.json, entry.etag, bytes, now, now + ttl * 1000, at);
        else this.s.insertSearch.run(key, query ?? key, entry.json, entry.etag, count ?? null, bytes, now, now + ttl * 1000, at);
        for (const tag of tags) this.s.insertTag.run(tag, tableCode[table], key);
        this.added(table, bytes);
        this.counters[table].sets++;
      },
    );

    this.txInvalidate = db.transaction((tags: readonly string[]) => {
      let removed = 0;
      for (const tag of tags) {
        const rows = this.s.keysForTag.all(tag) as { tbl: number; key: string }[];
        for (const row of rows) {
          const table: EntryTable = row.tbl === 0 ? 'queries' : 'search';
          if (this.removeEntry(table, row.key)) {
            this.counters[table].invalidations++;
            removed++;
          }
        }
      }
      return removed;
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
    const row = this.s.hit[table].get(key, this.now()) as (Entry & { rid: number; at: number }) | undefined;
    if (!row) {
      this.counters[table].misses++;
      return undefined;
    }
    this.counters[table].hits++;
    this.touchIfOld(table, row.rid, row.at);
    return { json: row.json, etag: row.etag };
  }

  /**
   * Approximate LRU. An UPDATE per hit (the write, the journal, the index move) costs more
   * than the read itself, so a row is moved to the front only when it is no longer among the
   * most recent quarter of touches. Hot rows then cost one write per ~entries/4 operations,
   * and eviction still takes rows from the cold end.
   */
  private touchIfOld(table: CacheTable, rid: number, at: number): void {
    const window = this.counters.queries.entries + this.counters.search.entries + this.counters.sessions.entries;
    if (this.tick - at > window >> 2) this.s.touch[table].run(++this.tick, rid);
  }

  get<T = unknown>(key: string, table: EntryTable = 'queries'): T | undefined {
    const entry = this.getEntry(key, table);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  /** Stores a JSON-serialisable value; returns the stored entry, or undefined when it was refused (too large). */
  set(key: string, value: unknown, options: SetOptions = {}): Entry | undefined {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`cache.set(${key}): value is not JSON-serialisable`);
    return this.setJson(key, json, options);
  }

  setJson(key: string, json: string, options: SetOptions = {}, search?: { query: string; count: number }): Entry | undefined {
    const table = options.table ?? 'queries';
    const tags = [...new Set(options.tags ?? [])];
    const bytes = this.entryBytes(key, json, tags) + (search ? utf8Bytes(search.query) : 0);
    const entry = { json, etag: etagOf(json) };
    if (bytes > this.maxEntryBytes) {
      this.counters[table].refused++;
      this.logger.warn({ key, bytes, maxEntryBytes: this.maxEntryBytes }, 'entry over the per-entry limit: not stored');
      this.delete(key, table);
      return undefined;
    }
    const ttl = options.ttlSeconds ?? this.ttls[table];
    this.txSetEntry(table, key, entry, bytes, tags, ttl, search?.query, search?.count);
    return entry;
  }

  delete(key: string, table: EntryTable = 'queries'): boolean {
    return this.removeEntry(table, key);
  }

  /** Cache-aside with single flight; the value is whatever compute returned (treat it as read-only). */
  async remember<T>(key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Promise<T> {
    const cached = this.safely(() => this.getEntry(key, options.table), undefined, 'read');
    if (cached) return JSON.parse(cached.json) as T;
    const r = await this.fill(key, options, compute);
    return ('value' in r ? r.value : JSON.parse(r.entry.json)) as T;
  }

  /** Like remember, but hands back the serialised JSON and its ETag (what an HTTP reply needs). */
  async rememberJson<T>(key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Promise<Entry> {
    const cached = this.safely(() => this.getEntry(key, options.table), undefined, 'read');
    if (cached) return cached;
    return (await this.fill(key, options, compute)).entry;
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
    return this.txInvalidate(tags);
  }

  /** Empties every table (counters of hits and misses are kept). */
  flush(): number {
    this.generation++;
    let removed = 0;
    for (const t of cacheTables) {
      removed += this.counters[t].entries;
      this.s.clear[t].run();
      this.totalBytes -= this.counters[t].bytes;
      this.counters[t].entries = 0;
      this.counters[t].bytes = 0;
    }
    this.s.clearTags.run();
    return removed;
  }

  // ---- typed helpers --------------------------------------------------------------------

  readonly search = {
    hashOf: (query: string) => createHash('sha256').update(query).digest('hex'),
    get: <T = unknown>(query: string): T | undefined => this.get<T>(this.search.hashOf(query), 'search'),
    /** Stores results tagged `search` (plus any extra tags, e.g. the ids they contain). */
    set: (query: string, results: unknown[] | { items: unknown[] }, options: { tags?: readonly string[]; ttlSeconds?: number } = {}) => {
      const count = Array.isArray(results) ? results.length : results.items.length;
      return this.setJson(
        this.search.hashOf(query),
        JSON.stringify(results),
        { table: 'search', tags: ['search', ...(options.tags ?? [])], ttlSeconds: options.ttlSeconds },
        { query, count },
      );
    },
  };

  readonly aggregations = {
    get: (metric: string, dimension: string): number | undefined => {
      const row = this.s.aggGet.get(metric, dimension, this.now()) as { v: number } | undefined;
      this.counters.aggregations[row ? 'hits' : 'misses']++;
      return row?.v;
    },
    set: (metric: string, dimension: string, value: number, ttlSeconds?: number): void => {
      this.aggWrite(metric, dimension, value, ttlSeconds, false);
    },
    /** Adds `by` to a live counter, or starts it at `by`; returns the new value. */
    increment: (metric: string, dimension: string, by = 1, ttlSeconds?: number): number => this.aggWrite(metric, dimension, by, ttlSeconds, true),
  };

  readonly popular = {
    /** The top of a ranking, best first, or undefined when there is none (or it expired). */
    get: (contentType: string, limit = 100): PopularItem[] | undefined => {
      const rows = this.s.popGet.all(contentType, this.now(), limit) as PopularItem[];
      this.counters.popular[rows.length ? 'hits' : 'misses']++;
      return rows.length ? rows : undefined;
    },
    /** Replaces a whole ranking; items are ranked in the order given. */
    set: (contentType: string, items: readonly PopularItem[], ttlSeconds?: number): void => {
      const bytesEach = utf8Bytes(contentType) + 24 + ROW_OVERHEAD_BYTES;
      this.db.transaction(() => {
        this.removed('popular', this.s.popRemove.all(contentType) as { bytes: number }[]);
        if (items.length === 0) return;
        this.makeRoom(bytesEach * items.length);
        const now = this.now();
        const expires = now + (ttlSeconds ?? this.ttls.popular) * 1000;
        const at = ++this.tick;
        items.forEach((item, i) => {
          this.s.popInsert.run(contentType, item.id, item.score, i + 1, bytesEach, now, expires, at);
          this.added('popular', bytesEach);
        });
        this.counters.popular.sets++;
      })();
    },
  };

  readonly sessions = {
    get: (id: string): CachedSession | undefined => {
      const row = this.s.sesGet.get(id, this.now()) as (CachedSession & { payload: string; rid: number; at: number }) | undefined;
      this.counters.sessions[row ? 'hits' : 'misses']++;
      if (!row) return undefined;
      this.touchIfOld('sessions', row.rid, row.at);
      return { id: row.id, userId: row.userId, payload: JSON.parse(row.payload), lastActivity: row.lastActivity, expiresAt: row.expiresAt };
    },
    set: (id: string, session: { userId: number | null; payload: unknown; lastActivity?: number }, ttlSeconds?: number): boolean => {
      const payload = JSON.stringify(session.payload ?? null);
      const bytes = utf8Bytes(id) + utf8Bytes(payload) + 16 + ROW_OVERHEAD_BYTES;
      if (bytes > this.maxEntryBytes) {
        this.counters.sessions.refused++;
        this.logger.warn({ bytes, maxEntryBytes: this.maxEntryBytes }, 'session over the per-entry limit: not stored');
        this.sessions.delete(id);
        return false;
      }
      this.db.transaction(() => {
        this.removed('sessions', this.s.sesRemove.all(id) as { bytes: number }[]);
        this.makeRoom(bytes);
        const now = this.now();
        this.s.sesInsert.run(id, session.userId, payload, bytes, session.lastActivity ?? now, now + (ttlSeconds ?? this.ttls.sessions) * 1000, ++this.tick);
        this.added('sessions', bytes);
        this.counters.sessions.sets++;
      })();
      return true;
    },
    delete: (id: string): boolean => this.removed('sessions', this.s.sesRemove.all(id) as { bytes: number }[]) > 0,
    deleteForUser: (userId: number): number => this.removed('sessions', this.s.sesRemoveUser.all(userId) as { bytes: number }[]),
  };

  // ---- maintenance ----------------------------------------------------------------------

  /** Deletes up to `batch` expired rows per table; returns how many per table. */
  cleanup(batch = this.cleanupBatch): Record<CacheTable, number> {
    const now = this.now();
    const out = {} as Record<CacheTable, number>;
    for (const t of cacheTables) {
      const rows = this.s.expire[t].all(now, batch) as { key: string | null; bytes: number }[];
      this.removed(t, rows);
      if (t === 'queries' || t === 'search') for (const r of rows) this.s.removeTagsOf.run(tableCode[t], r.key);
      this.counters[t].expirations += rows.length;
      out[t] = rows.length;
    }
    return out;
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
    const tables = {} as Record<CacheTable, TableStats>;
    const total = zero();
    for (const t of cacheTables) {
      const c = this.counters[t];
      tables[t] = { ...c, hitRate: c.hits + c.misses ? c.hits / (c.hits + c.misses) : null };
      for (const k of Object.keys(total) as (keyof Counters)[]) total[k] += c[k];
    }
    return {
      maxBytes: this.maxBytes,
      maxEntryBytes: this.maxEntryBytes,
      total: { ...total, hitRate: total.hits + total.misses ? total.hits / (total.hits + total.misses) : null },
      tables,
      tags: (this.s.countTags.get() as { n: number }).n,
      inFlight: this.inflight.size,
      pragmas: Object.fromEntries(['synchronous', 'journal_mode', 'temp_store', 'cache_size'].map((p) => [p, this.db.pragma(p, { simple: true })])),
    };
  }

  /** Bytes currently charged (always ≤ maxBytes). */
  get bytes(): number {
    return this.totalBytes;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.inflight.clear();
    if (this.db.open) this.db.close();
  }

  // ---- internals ------------------------------------------------------------------------

  private entryBytes(key: string, json: string, tags: readonly string[]): number {
    const k = utf8Bytes(key);
    let bytes = k + utf8Bytes(json) + 30 + ROW_OVERHEAD_BYTES;
    for (const tag of tags) bytes += utf8Bytes(tag) + k + TAG_OVERHEAD_BYTES;
    return bytes;
  }

  private removeEntry(table: EntryTable, key: string): boolean {
    const rows = this.s.removeEntry[table].all(key) as { bytes: number }[];
    if (rows.length === 0) return false;
    this.s.removeTagsOf.run(tableCode[table], key);
    this.removed(table, rows);
    return true;
  }

  private added(table: CacheTable, bytes: number): void {
    this.counters[table].entries++;
    this.counters[table].bytes += bytes;
    this.totalBytes += bytes;
  }

  private removed(table: CacheTable, rows: readonly { bytes: number }[]): number {
    for (const r of rows) {
      this.counters[table].entries--;
      this.counters[table].bytes -= r.bytes;
      this.totalBytes -= r.bytes;
    }
    return rows.length;
  }

  /** Evicts least-recently-used rows (across all tables) until `bytes` more fit under the cap. */
  private makeRoom(bytes: number): void {
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
        const rows = this.s.evictRow[v.table].all(v.rid) as { key: string | null; bytes: number }[];
        if (rows.length === 0) continue; // already gone with its ranking
        if (v.table === 'queries' || v.table === 'search') this.s.removeTagsOf.run(tableCode[v.table], rows[0]!.key);
        this.removed(v.table, rows);
        this.counters[v.table].evictions += rows.length;
      }
    }
  }

  private aggWrite(metric: string, dimension: string, value: number, ttlSeconds: number | undefined, add: boolean): number {
    const now = this.now();
    const at = ++this.tick;
    if (add) {
      const row = this.s.aggAdd.get(value, now, at, metric, dimension, now) as { v: number } | undefined;
      if (row) return row.v;
    }
    const bytes = utf8Bytes(metric) + utf8Bytes(dimension) + 24 + ROW_OVERHEAD_BYTES;
    this.db.transaction(() => {
      this.removed('aggregations', this.s.aggRemove.all(metric, dimension) as { bytes: number }[]);
      this.makeRoom(bytes);
      this.s.aggInsert.run(metric, dimension, value, bytes, now, now + (ttlSeconds ?? this.ttls.aggregations) * 1000, at);
      this.added('aggregations', bytes);
      this.counters.aggregations.sets++;
    })();
    return value;
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
