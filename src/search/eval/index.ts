// The generated evaluation (`chinook eval search|suggest`, the bench), loaded through
// loadSearchEvaluation in src/search/index.ts when asked for.
export { runSearchEvaluation, serviceEngine } from './engines.ts';
export { formatReports } from './score.ts';
export { formatSuggestReports, runSuggestEvaluation } from './suggest.ts';
