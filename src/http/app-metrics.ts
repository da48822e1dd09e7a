// What Chinook itself is doing, for GET /metrics beside the request histogram (metrics.ts):
// cache hits/misses/evictions per cache table, the write queue (depth, batch sizes, commit
// time, busy retries), the WAL and checkpoint lag, storage faults, events between processes,
// and the time of the search and nearest-neighbour calls. Counters the services keep anyway
// are read when Prometheus scrapes (collect), so the request path pays nothing for them; only
// the write-queue, search and KNN histograms observe as things happen (one observe() each,
// about a microsecond). In a cluster the primary sums workers (AggregatorRegistry); gauges of
// the shared file (WAL size, checkpoint lag) take the maximum instead of a meaningless sum.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AppContext } from '../context.ts';
import { fileBytes } from '../db/index.ts';

const SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Times every call of `object[method]` (also calls the object makes to itself, which go through the instance). */
function timeCalls<T extends object, K extends keyof T>(object: T, method: K, observe: (seconds: number, args: unknown[]) => void): void {
  const original = object[method] as unknown as (...args: unknown[]) => unknown;
  (object as Record<K, unknown>)[method] = function timed(this: unknown, ...args: unknown[]) {
    const started = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      observe((performance.now() - started) / 1000, args);
    }
  };
}

export function registerAppMetrics(registry: Registry, ctx: AppContext): void {
  const registers = [registry];

  // Cache database, per table (cache_queries, cache_sessions …).
  const cacheCounters = ['hits', 'misses', 'evictions', 'expirations', 'invalidations'] as const;
  for (const field of cacheCounters) {
    new Counter({
      name: `chinook_cache_${field}_total`,
      help: `Cache database ${field} per cache table, since the process started`,
      labelNames: ['table'],
      registers,
      collect() {
        this.reset();
        for (const [table, t] of Object.entries(ctx.cache.cache?.stats().tables ?? {})) this.inc({ table }, t[field]);
      },
    });
  }
  for (const field of ['entries', 'bytes'] as const) {
    new Gauge({
      name: `chinook_cache_${field}`,
      help: `Cache database ${field} per cache table`,
      labelNames: ['table'],
      registers,
      collect() {
        for (const [table, t] of Object.entries(ctx.cache.cache?.stats().tables ?? {})) this.set({ table }, t[field]);
      },
    });
  }

  // The write queue.
  const batch = new Histogram({
    name: 'chinook_write_batch_operations',
    help: 'Writes committed together in one group-commit transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 512, 1000],
    registers,
  });
  const commit = new Histogram({ name: 'chinook_write_commit_seconds', help: 'BEGIN IMMEDIATE … COMMIT of one write batch', buckets: SECONDS, registers });
  ctx.writes.onBatch((operations, ms) => {
    batch.observe(operations);
    commit.observe(ms / 1000);
  });
  new Gauge({
    name: 'chinook_write_queue_depth',
    help: 'Writes waiting for the next batch',
    registers,
    collect() {
      this.set(ctx.writes.stats().pending);
    },
  });
  for (const [name, help, read] of [
    ['chinook_write_busy_retries_total', 'Times a batch found the database locked by another process and retried', () => ctx.writes.stats().busyRetries],
    ['chinook_write_failed_operations_total', 'Writes that failed (their caller got an error)', () => ctx.writes.stats().failedOperations],
  ] as const) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  // The primary file, its WAL and the checkpointer. One file for every worker: the maximum, not the sum.
  new Gauge({
    name: 'chinook_wal_bytes',
    help: 'Size of the WAL file',
    aggregator: 'max',
    registers,
    collect() {
      this.set(fileBytes(`${ctx.db.name}-wal`));
    },
  });
  new Gauge({
    name: 'chinook_database_bytes',
    help: 'Size of the primary database file',
    aggregator: 'max',
    registers,
    collect() {
      this.set(fileBytes(ctx.db.name));
    },
  });
  new Gauge({
    name: 'chinook_checkpoint_lag_frames',
    help: 'WAL frames not yet copied into the database file at the last checkpoint run',
    aggregator: 'max',
    registers,
    async collect() {
      this.set((await ctx.checkpoints())?.lagFrames ?? 0);
    },
  });
  new Gauge({
    name: 'chinook_checkpoint_last_run_age_seconds',
    help: 'Seconds since a checkpoint last copied pages into the database file (-1: never)',
    aggregator: 'min',
    registers,
    async collect() {
      const at = (await ctx.checkpoints())?.lastAt;
      this.set(at ? (Date.now() - Date.parse(at)) / 1000 : -1);
    },
  });
  for (const field of ['restarts', 'truncates', 'busy'] as const) {
    new Counter({
      name: `chinook_checkpoint_${field}_total`,
      help: `Checkpoint runs: ${field === 'busy' ? 'found the file busy' : field === 'restarts' ? 'WAL restarts past its limit' : 'WAL truncations when writes paused'}`,
      registers,
      async collect() {
        this.reset();
        this.inc((await ctx.checkpoints())?.[field] ?? 0);
      },
    });
  }

  // Storage faults and events between processes.
  new Gauge({
    name: 'chinook_storage_degraded',
    help: '1 while storage is failing (full disk, read-only file, I/O errors), else 0',
    aggregator: 'max',
    registers,
    collect() {
      this.set(ctx.storage.degraded ? 1 : 0);
    },
  });
  new Counter({
    name: 'chinook_storage_faults_total',
    help: 'Storage faults seen (each failed batch once)',
    registers,
    collect() {
      this.reset();
      this.inc(ctx.storage.state().faults);
    },
  });
  new Counter({
    name: 'chinook_events_total',
    help: 'Domain events carried through the change log: published by this process, received from others, gaps',
    labelNames: ['direction'],
    registers,
    collect() {
      this.reset();
      const c = ctx.eventLog?.counts;
      this.inc({ direction: 'published' }, c?.published ?? 0);
      this.inc({ direction: 'received' }, c?.received ?? 0);
      this.inc({ direction: 'gap' }, c?.gaps ?? 0);
    },
  });

  // Search (FTS5 query, ranking, facets, typo correction) and nearest neighbours (a computed
  // KNN: the in-memory scan or vec0; cached answers are not counted).
  const search = new Histogram({ name: 'chinook_search_seconds', help: 'Search service calls', labelNames: ['call'], buckets: SECONDS, registers });
  timeCalls(ctx.search, 'search', (s) => search.observe({ call: 'search' }, s));
  timeCalls(ctx.search, 'suggest', (s) => search.observe({ call: 'suggest' }, s));
  const knn = new Histogram({
    name: 'chinook_knn_seconds',
    help: 'Nearest-neighbour computations per space',
    labelNames: ['space'],
    buckets: SECONDS,
    registers,
  });
  timeCalls(ctx.similarity, 'neighbours', (s, args) => knn.observe({ space: String(args[1]) }, s));
}
