// Everything a process needs to serve: settings, the primary database and the services
// built on it. Created once per process (each cluster worker has its own).

import { type Accounts, createAccounts, startAccountsMaintenance } from './accounts/index.ts';
import { type CacheLayer, createCacheLayer, type Entry } from './cache/index.ts';
import { CachedCatalog, CatalogEditor, CatalogService } from './catalog/index.ts';
import type { Config } from './config.ts';
import { type CheckpointStats, type Db, openPrimary, StorageHealth, startCheckpointer, WriteQueue } from './db/index.ts';
import { connectCarrier, DomainEvents, SqliteEventLog } from './events/index.ts';
import { HealthService } from './health.ts';
import { cachedRecommendations, createRecommender, type Listener, type ListOptions, type Recommender } from './recommend/index.ts';
import { CachedReports, SalesReports } from './reports/index.ts';
import { cachedSearch, cachedSuggest, type SearchRequest, SearchService } from './search/index.ts';
import { Customers, cachedPopularTracks, createStore, invoiceLineCount, type Store, startStoreMaintenance } from './store/index.ts';
import { cachedSimilar, SimilarityService, type SimilarRequest, TextQueryRetriever, VectorRefreshQueue } from './vectors/index.ts';

/** Reads through the cache database; each capability's cached.ts picks its keys, tags and TTL. */
export interface CachedReads {
  catalog: CachedCatalog;
  reports: CachedReports;
  /** The reply as JSON (search/cached.ts). */
  search(req: SearchRequest): Promise<string>;
  /** As-you-type suggestions, as JSON (search/cached.ts). */
  suggest(q: string, limit: number): Promise<string>;
  similar(req: SimilarRequest): Entry | Promise<Entry>;
  /** The most popular tracks with their details (store/cached.ts). */
  popularTracks(limit: number): Entry | Promise<Entry>;
  /** A listener's recommendations, as JSON with its ETag (recommend/cached.ts). */
  recommendations(subject: Listener, options: ListOptions): Entry | Promise<Entry>;
}

export interface AppContext {
  config: Config;
  db: Db;
  catalog: CatalogService;
  reports: SalesReports;
  /** The in-memory cache database and the invalidation bus. */
  cache: CacheLayer;
  /** Catalog, report, search and similarity reads through the cache database (what the routes call). */
  cached: CachedReads;
  /** Carries domain events to and from the other processes on the file (null in memory). */
  eventLog: SqliteEventLog | null;
  /** The process's domain events (catalog edits, orders, plays): writers emit, the cache, popularity and vector refresh listen. */
  events: DomainEvents;
  /** Catalog writes; each emits an event that invalidates the cache in every worker. */
  editor: CatalogEditor;
  /** Nearest tracks per vector space, through the 24-hour similarity cache. */
  similarity: SimilarityService;
  recommender: Recommender;
  /** Full-text search and suggestions (FTS5). */
  search: SearchService;
  /** The process's group-commit queue: every account/store write goes through it. */
  writes: WriteQueue;
  /** Storage faults (full disk, read-only file, I/O errors): 503s, rate-limited logs, readiness. */
  storage: StorageHealth;
  /** Users, sessions, the login throttle and shared rate limits. */
  accounts: Accounts;
  /** The WAL checkpointer thread's counters (null when the database is in memory). */
  checkpoints(): Promise<CheckpointStats | null>;
  /** Orders, plays, the activity log and popularity. */
  store: Store;
  /** Warms the cache for a storefront's first page: catalog reads, best sellers and the popularity ranking. */
  preload(topN?: number): Promise<{ entries: number; ms: number }>;
  /** What GET /health reports. */
  health: HealthService;
  /** Commits queued writes, then closes everything. */
  shutdown(): Promise<void>;
  /** Closes at once (queued writes that have not committed fail). */
  close(): void;
}

export function createContext(config: Config, db: Db = openPrimary(config)): AppContext {
  const catalog = new CatalogService(db);
  const reports = new SalesReports(db);
  const events = new DomainEvents();
  const cache = createCacheLayer(config, events);
  const similarity = new SimilarityService(db, { vectorMemoryBytes: config.vectorMemoryMiB * 1024 * 1024 });
  const vectorRefresh = new VectorRefreshQueue(db, similarity, events);
  // Its own connection: it waits for other processes' write locks with async backoff
  // (busy_timeout 0 here) instead of blocking the event loop inside SQLite.
  const writer = db.name === ':memory:' ? db : openPrimary({ ...config, dbPath: db.name, busyTimeoutMs: 0 }, { skipMigrations: true });
  const storage = new StorageHealth(db.name);
  const writes = new WriteQueue(writer, { maxBatch: config.writeBatchMax, maxWaitMs: config.writeBatchWaitMs, busyTimeoutMs: config.busyTimeoutMs, storage });
  similarity.storeNeighboursWith(writes);
  const checkpointer =
    writer === db ? null : startCheckpointer(writer, { walAutocheckpoint: config.walAutocheckpoint, maxWalBytes: config.walLimitMiB * 1024 * 1024 });
  const accounts = createAccounts(db, writes, cache, events, config);
  // Other processes on this file hear this one's edits, orders and revoked sessions (and it theirs).
  const eventLog = db.name === ':memory:' ? null : new SqliteEventLog(db, writes, { onError: (err) => storage.fault(err) });
  const disconnectCarrier = eventLog ? connectCarrier(events, eventLog) : () => {};
  // Fell behind the log's retention: whatever it missed may be cached, so nothing cached is trusted.
  eventLog?.onGap(() => cache.cache?.flush());
  const search = new SearchService(db);
  search.setVectorRetriever(new TextQueryRetriever(db, similarity.store));
  const store = createStore(db, writes, cache.cache, events, config);
  const recommender = createRecommender(db, similarity, { history: store.history, customers: new Customers(db), users: accounts.users });
  const cached: CachedReads = {
    catalog: new CachedCatalog(cache.cache, catalog),
    reports: new CachedReports(cache.cache, reports),
    search: (req) => cachedSearch(cache.cache, search, req),
    suggest: (q, limit) => cachedSuggest(cache.cache, search, q, limit),
    similar: (req) => cachedSimilar(cache.cache, similarity, req),
    popularTracks: (limit) => cachedPopularTracks(cache.cache, store.popularity, catalog, limit),
    recommendations: (subject, options) =>
      cachedRecommendations(cache.cache, recommender, (userId) => accounts.users.get(userId)?.customerId ?? null, subject, options),
  };
  const stopAccountsMaintenance = startAccountsMaintenance(accounts);
  const stopStoreMaintenance = startStoreMaintenance(store, config);
  const close = () => {
    disconnectCarrier();
    stopAccountsMaintenance();
    stopStoreMaintenance();
    storage.close();
    void checkpointer?.stop();
    vectorRefresh.stop();
    cache.close();
    if (writer !== db && writer.open) writer.close();
    if (db.open) db.close();
  };
  return {
    config,
    db,
    catalog,
    reports,
    cache,
    cached,
    events,
    eventLog,
    editor: new CatalogEditor(writer, catalog, { events, invoiceLinesOf: invoiceLineCount, writes }),
    similarity,
    recommender,
    search,
    writes,
    storage,
    accounts,
    checkpoints: async () => (checkpointer ? checkpointer.stats() : null),
    store,
    health: new HealthService(db, catalog, storage, writes),
    async preload(topN = 50) {
      const started = performance.now();
      const entries = () => cache.cache?.stats().total.entries ?? 0;
      const before = entries();
      if (cache.cache) {
        // What a storefront's first page asks for: the genre list, the best sellers and their track pages.
        await cached.catalog.genres();
        await cached.reports.topTracks(10);
        await cached.reports.topArtists(10);
        for (const t of reports.topTracks(topN)) await cached.catalog.track(t.id);
      }
      store.popularity.refresh();
      return { entries: entries() - before, ms: performance.now() - started };
    },
    async shutdown() {
      await writes.close();
      await checkpointer?.stop();
      close();
    },
    close,
  };
}
