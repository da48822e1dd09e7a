// The cache database's tables (the seed's five, §6.1, plus an indexed tag table) and the
// connection that holds them: one `:memory:` SQLite database per process.
import Database from 'better-sqlite3';

export type Stmt = Database.Statement<unknown[], unknown>;

export const cacheTables = ['queries', 'search', 'aggregations', 'popular', 'sessions'] as const;
export type CacheTable = (typeof cacheTables)[number];
/** The tables holding JSON entries addressed by one key (get/set/remember/tags). */
export type EntryTable = 'queries' | 'search';

export const sqlName: Record<CacheTable, string> = {
  queries: 'cache_queries',
  search: 'cache_search_results',
  aggregations: 'cache_aggregations',
  popular: 'cache_popular_content',
  sessions: 'cache_sessions',
};

/** An entry table as stored in cache_tags.tbl. */
export const tableCode: Record<EntryTable, number> = { queries: 0, search: 1 };
export const entryTableOf = (code: number): EntryTable => (code === 0 ? 'queries' : 'search');

export function openCacheDatabase(): Database.Database {
  const db = new Database(':memory:');
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
  return db;
}
