// Shapes of the admin API replies the dashboard reads (see /docs).

export interface Latency {
  requests: number;
  ratePerSecond: number;
  errorRatePerSecond: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
}

export interface MetricsSummary {
  pid: number;
  intervalSeconds: number;
  windowSeconds: number;
  series: (Latency & { at: string })[];
  window: Latency;
  routes: (Latency & { route: string })[];
}

export interface DatabaseStats {
  path: string;
  fileBytes: number;
  walBytes: number;
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  pragmas: Record<string, unknown>;
  rowCounts: Record<string, number>;
  countedAt: string;
  checkpoints: { runs: number; pages: number; busy: number; lastAt: string | null; lastLog: number } | null;
}

export interface CacheCounters {
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
  pid: number;
  maxBytes: number;
  maxEntryBytes: number;
  total: CacheCounters;
  tables: Record<string, CacheCounters>;
  tags: number;
  inFlight: number;
  rssBytes: number;
}

export interface WriteStats {
  pid: number;
  queue: {
    batches: number;
    operations: number;
    failedOperations: number;
    busyRetries: number;
    pending: number;
    maxBatchSeen: number;
    meanBatchSize: number;
    meanQueueWaitMs: number;
    meanCommitMs: number;
  };
  deferredIndexes: { foldedRows: number; lag: { name: string; upto: number; last: number; behind: number }[] };
}

export interface SearchStats {
  totalTracks: number;
  indexedTracks: number;
  coveragePercent: number;
  indexBytes: number;
  suggestEntries: number;
  suggestBytes: number;
  vocabularyTerms: number;
  triggers: { present: number; expected: number };
  lastRebuild: string | null;
  lastOptimize: string | null;
}

export interface VectorStats {
  totalTracks: number;
  vectorRows: number;
  coveragePercent: number;
  spaces: { space: string; provider: string; dims: number; trackCount: number; builtAt: string; details: unknown }[];
  similarityCache: { rows: number; freshRows: number; sources: number };
  vectorMemory: { tracks: number; bytes: number; revision: number } | null;
}

export interface Job {
  id: string;
  task: 'search-rebuild' | 'search-optimize' | 'vectors-rebuild';
  state: 'running' | 'done' | 'failed';
  progress: { done: number; total: number; label: string };
  startedAt: string;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

export interface Activity {
  id: number;
  logName: string;
  description: string;
  subjectType: string | null;
  subjectId: number | null;
  causerType: string | null;
  causerId: number | null;
  properties: Record<string, unknown>;
  createdAt: string;
}
