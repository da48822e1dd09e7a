// Shapes of the admin API replies the dashboard reads (see /docs), taken from the routes' own
// reply schemas (type-only imports: nothing of the server is bundled), so they cannot drift.
import type { Static } from 'typebox';
import type {
  ActivitySchema,
  CacheStatsSchema,
  DatabaseStatsSchema,
  JobSchema,
  LatencySchema,
  MetricsSummarySchema,
  SearchStatsSchema,
  VectorStatsSchema,
  WriteStatsSchema,
} from '../../../http/routes/api/admin/ops-schemas.ts';

export type Latency = Static<typeof LatencySchema>;
export type MetricsSummary = Static<typeof MetricsSummarySchema>;
export type DatabaseStats = Static<typeof DatabaseStatsSchema>;
export type Job = Static<typeof JobSchema>;

export type CacheStats = Static<typeof CacheStatsSchema>;
export type CacheCounters = CacheStats['total'];
export type WriteStats = Static<typeof WriteStatsSchema>;
export type SearchStats = Static<typeof SearchStatsSchema>;
export type VectorStats = Static<typeof VectorStatsSchema>;
export type Activity = Static<typeof ActivitySchema>;
