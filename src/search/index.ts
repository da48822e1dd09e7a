export { type CachedSearchResult, cachedSearch } from './cached.ts';
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
export {
  reciprocalRankFusion,
  SEARCH_SORTS,
  type SearchFilters,
  type SearchHit,
  type SearchMode,
  type SearchRequest,
  type SearchResult,
  SearchService,
  type SearchSort,
  type Suggestion,
  type VectorRetriever,
} from './service.ts';
