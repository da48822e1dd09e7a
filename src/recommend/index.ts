// The recommend capability: personal recommendations, playlist continuation and "from these
// tracks", all ranked by one seed ranker over the similarity service (ranker.ts).
import type { Db } from '../db/index.ts';
import type { SimilarityService } from '../vectors/index.ts';
import { type ProfileSources, Recommender } from './recommender.ts';

export function createRecommender(db: Db, similarity: SimilarityService, sources: ProfileSources): Recommender {
  return new Recommender(db, similarity, sources);
}

export { cachedRecommendations, type Listener, RECOMMENDATIONS_CACHE_CONTROL } from './cached.ts';
export { Continuations, MAX_SEED_TRACKS } from './continuation.ts';
/** The offline evaluation, loaded when asked for (a serving process never runs it). */
export const loadRecommendEvaluation = () => import('./evaluation.ts');
export { type ListOptions, type ProfileSources, Recommender, type Suggestion } from './recommender.ts';
export { DEFAULT_WEIGHTS, parseWeights, STRATEGIES, type Weights } from './weights.ts';
