// Reply schemas of the dashboard's admin endpoints. Only TypeBox and the shared schemas here,
// so the dashboard's code can take its types from them (type-only imports, nothing bundled).
import { Type } from 'typebox';
import { Nullable } from '../../../schemas.ts';

const Latency = {
  requests: Type.Integer(),
  ratePerSecond: Type.Number(),
  errorRatePerSecond: Type.Number({ description: '5xx replies per second' }),
  p50Ms: Nullable(Type.Number()),
  p95Ms: Nullable(Type.Number()),
  p99Ms: Nullable(Type.Number()),
  meanMs: Nullable(Type.Number()),
};

export const LatencySchema = Type.Object(Latency);

export const MetricsSummarySchema = Type.Object({
  pid: Type.Integer(),
  intervalSeconds: Type.Number(),
  windowSeconds: Type.Number(),
  series: Type.Array(Type.Object({ at: Type.String(), ...Latency })),
  window: LatencySchema,
  routes: Type.Array(Type.Object({ route: Type.String(), ...Latency })),
});

export const JobSchema = Type.Object({
  id: Type.String(),
  task: Type.Union([Type.Literal('search-rebuild'), Type.Literal('search-optimize'), Type.Literal('vectors-rebuild')]),
  state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Object({ done: Type.Number(), total: Type.Number(), label: Type.String() }),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.String()),
  pid: Type.Integer({ description: 'the worker process running it: poll the same one' }),
});

export const DatabaseStatsSchema = Type.Object({
  path: Type.String(),
  fileBytes: Type.Integer(),
  walBytes: Type.Integer(),
  pageSize: Type.Integer(),
  pageCount: Type.Integer(),
  freelistCount: Type.Integer(),
  pragmas: Type.Record(Type.String(), Type.Unknown()),
  rowCounts: Type.Record(Type.String(), Type.Integer()),
  countedAt: Type.String(),
  checkpoints: Nullable(
    Type.Object({
      runs: Type.Integer(),
      pages: Type.Integer(),
      busy: Type.Integer(),
      lastAt: Nullable(Type.String({ description: 'the last checkpoint that copied pages' })),
      lastLog: Type.Integer({ description: 'WAL pages at that checkpoint' }),
    }),
  ),
});

const CacheCounters = Type.Object({
  entries: Type.Integer(),
  bytes: Type.Integer(),
  hits: Type.Integer(),
  misses: Type.Integer(),
  hitRate: Type.Union([Type.Number(), Type.Null()]),
  sets: Type.Integer(),
  evictions: Type.Integer(),
  expirations: Type.Integer(),
  invalidations: Type.Integer(),
  refused: Type.Integer(),
});

export const CacheStatsSchema = Type.Object({
  pid: Type.Integer(),
  maxBytes: Type.Integer(),
  maxEntryBytes: Type.Integer(),
  total: CacheCounters,
  tables: Type.Record(Type.String(), CacheCounters),
  tags: Type.Integer(),
  inFlight: Type.Integer(),
  held: Type.Object({ entries: Type.Integer(), chars: Type.Integer() }),
  pragmas: Type.Record(Type.String(), Type.Unknown()),
  rssBytes: Type.Integer(),
});

export const WriteStatsSchema = Type.Object({
  pid: Type.Integer(),
  queue: Type.Object({
    batches: Type.Integer(),
    operations: Type.Integer(),
    failedOperations: Type.Integer(),
    busyRetries: Type.Integer(),
    pending: Type.Integer(),
    maxBatchSeen: Type.Integer(),
    meanBatchSize: Type.Number(),
    meanQueueWaitMs: Type.Number(),
    meanCommitMs: Type.Number(),
  }),
  deferredIndexes: Type.Object({
    foldedRows: Type.Integer(),
    lag: Type.Array(Type.Object({ name: Type.String(), upto: Type.Integer(), last: Type.Integer(), behind: Type.Integer() })),
  }),
});

export const SearchStatsSchema = Type.Object({
  totalTracks: Type.Integer(),
  indexedTracks: Type.Integer(),
  coveragePercent: Type.Number(),
  indexBytes: Type.Integer(),
  suggestEntries: Type.Integer(),
  suggestBytes: Type.Integer(),
  vocabularyTerms: Type.Integer(),
  triggers: Type.Object({ present: Type.Integer(), expected: Type.Integer() }),
  lastRebuild: Nullable(Type.String()),
  lastOptimize: Nullable(Type.String()),
});

export const VectorStatsSchema = Type.Object({
  totalTracks: Type.Integer(),
  vectorRows: Type.Integer(),
  coveragePercent: Type.Number(),
  spaces: Type.Array(
    Type.Object({
      space: Type.String(),
      provider: Type.String(),
      dims: Type.Integer(),
      trackCount: Type.Integer(),
      builtAt: Type.String(),
      details: Type.Unknown(),
    }),
  ),
  similarityCache: Type.Object({ rows: Type.Integer(), freshRows: Type.Integer(), sources: Type.Integer() }),
  vectorMemory: Type.Union([Type.Object({ tracks: Type.Integer(), bytes: Type.Integer(), revision: Type.Integer() }), Type.Null()], {
    description: 'the in-memory copy of the vectors this worker scans for similar tracks; null before the first query or over CHINOOK_VECTOR_MEMORY_MIB',
  }),
});

export const ActivitySchema = Type.Object({
  id: Type.Integer(),
  logName: Type.String(),
  description: Type.String(),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Type.Integer()),
  causerType: Nullable(Type.String()),
  causerId: Nullable(Type.Integer()),
  properties: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});
