export { reciprocalRankFusion } from './hybrid.ts';
export {
  type CheckResult,
  checkSearchIndex,
  optimizeSearchIndex,
  type RebuildResult,
  rebuildSearchIndex,
  type SearchStats,
  searchStats,
  withSearchIndexSuspended,
} from './maintenance.ts';
export { MAX_QUERY_LENGTH, parseQuery, QueryError, toFts } from './query.ts';
export { SearchService } from './service.ts';
export type { Suggestion } from './suggest.ts';
export {
  type FacetValue,
  SEARCH_MODES,
  SEARCH_SORTS,
  type SearchFilters,
  type SearchHit,
  type SearchMode,
  type SearchRequest,
  type SearchResult,
  type SearchSort,
  type VectorRetriever,
} from './types.ts';
