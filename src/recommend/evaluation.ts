// The offline evaluation (`chinook eval recommendations`), loaded through loadRecommendEvaluation
// in index.ts when asked for: a serving process never runs it.
export { formatEvaluation, runEvaluation } from './eval.ts';
export { EvaluationCopies } from './eval-copies.ts';
export { runPlaylistEvaluation } from './eval-playlists.ts';
export { formatPlaylistEvaluation, writeBetweenMarkers } from './eval-report.ts';
