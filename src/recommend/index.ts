// The app's recommender: the hybrid strategies over the vec0 store (through the similarity cache).
import type { Db } from '../db/index.ts';
import type { SimilarityService } from '../vectors/index.ts';
import { Recommender } from './recommender.ts';

export function createRecommender(db: Db, similarity: SimilarityService): Recommender {
  return new Recommender(db, { neighbours: (space, trackId, k) => similarity.cachedNeighbours(trackId, space, k) });
}

export { formatEvaluation, runEvaluation } from './eval.ts';
export { DEFAULT_WEIGHTS, parseWeights, Recommender, type Weights } from './recommender.ts';
