// Shapes of the admin API replies the dashboard reads (see /docs): the new endpoints' types come
// from their schemas (type-only imports); the older ones are written out as documented.
import type { Static } from 'typebox';
import type { DatabaseStatsSchema, JobSchema, LatencySchema, MetricsSummarySchema } from '../../../http/routes/api/admin/ops-schemas.ts';

export type Latency = Static<typeof LatencySchema>;
export type MetricsSummary = Static<typeof MetricsSummarySchema>;
export type DatabaseStats = Static<typeof DatabaseStatsSchema>;
export type Job = Static<typeof JobSchema>;

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
