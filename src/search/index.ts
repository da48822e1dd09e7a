export { cachedSearch, cachedSuggest } from './cached.ts';
// The generated evaluation (`chinook eval search`, the bench): queries made from the catalog with
// a seeded noise model. Loaded when asked for: its generators and the MiniSearch peer are no
// business of a serving process (test/architecture/dependencies.test.ts keeps it so).
export { DEFAULT_EVAL_SEED, DEFAULT_PER_KIND } from './eval/defaults.ts';
export const loadSearchEvaluation = () => import('./eval/index.ts');
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
