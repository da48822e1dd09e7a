export { cachedSearch, cachedSuggest } from './cached.ts';
// The generated evaluation (`chinook eval search`, the bench): queries made from the catalog with a seeded noise model.
export { DEFAULT_EVAL_SEED, DEFAULT_PER_KIND, runSearchEvaluation, serviceEngine } from './eval/engines.ts';
export { formatReports } from './eval/score.ts';
export { formatSuggestReports, runSuggestEvaluation } from './eval/suggest.ts';
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
