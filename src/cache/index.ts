// The cache layer a process context holds: the cache database (or none when switched off) and
// the invalidation bus (cluster-aware in a worker), which listens to the context's domain
// events. It knows no feature: each capability's cached.ts reads through `remember`.
import cluster from 'node:cluster';
import type { Config } from '../config.ts';
import type { DomainEvents } from '../events/index.ts';
import { CacheBus, localTransport, type Transport, workerTransport } from './bus.ts';
import { CacheDb, type CacheLogger, type CacheOptions } from './cache-db.ts';

export type CacheConfig = Pick<
  Config,
  | 'cache'
  | 'cacheMaxBytes'
  | 'cacheHeldMaxChars'
  | 'cacheMemoryFactor'
  | 'cacheMaxEntryBytes'
  | 'cacheTtlSessions'
  | 'cacheTtlQueries'
  | 'cacheTtlAggregations'
  | 'cacheTtlSearch'
  | 'cacheTtlPopular'
  | 'cacheCleanupMs'
>;

/** The payload bytes the cache may hold so that its RSS stays within CHINOOK_CACHE_MAX_BYTES. */
export function payloadBudget(config: Pick<Config, 'cacheMaxBytes' | 'cacheMemoryFactor'>): number {
  return Math.floor(config.cacheMaxBytes / config.cacheMemoryFactor);
}

export function cacheOptionsFrom(config: CacheConfig): CacheOptions {
  return {
    // The setting is a memory budget; what the cache counts is payload, and each payload byte
    // costs cacheMemoryFactor bytes of RSS (SQLite pages and their headers, tag rows, allocator).
    maxBytes: payloadBudget(config),
    maxEntryBytes: config.cacheMaxEntryBytes,
    heldMaxChars: config.cacheHeldMaxChars,
    cleanupIntervalMs: config.cacheCleanupMs,
    ttls: {
      sessions: config.cacheTtlSessions,
      queries: config.cacheTtlQueries,
      aggregations: config.cacheTtlAggregations,
      search: config.cacheTtlSearch,
      popular: config.cacheTtlPopular,
    },
  };
}

export interface CacheLayer {
  /** null when the cache is switched off (CHINOOK_CACHE=off). */
  cache: CacheDb | null;
  bus: CacheBus;
  /** Where cache warnings go; the HTTP app points it at its logger. */
  setLogger(logger: CacheLogger): void;
  close(): void;
}

export function createCacheLayer(config: CacheConfig, events: DomainEvents, options: { transport?: Transport } = {}): CacheLayer {
  const cache = config.cache ? new CacheDb(cacheOptionsFrom(config)) : null;
  let logger: CacheLogger = cache?.logger ?? { warn: (o, m) => console.warn(m, o), error: (o, m) => console.error(m, o) };
  const transport =
    options.transport ??
    (cluster.isWorker ? workerTransport({ logger: { warn: (o, m) => logger.warn(o, m), error: (o, m) => logger.error(o, m) } }) : localTransport());
  const bus = new CacheBus(cache, transport, events, () => logger);
  return {
    cache,
    bus,
    setLogger(l) {
      logger = l;
      if (cache) cache.logger = l;
    },
    close() {
      bus.close();
      cache?.close();
    },
  };
}

export { relayCacheMessages } from './bus.ts';
export type { CacheStats, Entry, RememberOptions, TableStats } from './cache-db.ts';
export { CacheDb } from './cache-db.ts';
export { replyWithEntry, sendEntry } from './http.ts';
export { keyOf, remember, rememberEntry } from './remember.ts';
