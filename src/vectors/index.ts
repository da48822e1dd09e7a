// The front door of vectors/: what other folders may import.
export { ANN_MIN_TRACKS, ensureAnnFiles, ensureGroups } from './ann/ensure.ts';
export { buildVectors, computeEmbeddings, ensureVectors, vectorsAreCurrent } from './build.ts';
export { cachedSimilar, type SimilarRequest } from './cached.ts';
export { collapseCopies, identityOf, MAX_PER_ALBUM, spreadAlbums, type TrackIdentity } from './collapse.ts';
export { importEmbeddings } from './import.ts';
export { seededRandom } from './linalg.ts';
export { VectorRefreshQueue } from './refresh.ts';
export { type SimilarItem, SimilarityService } from './service.ts';
export type { TrackFeatures } from './source.ts';
export { isSpace, type SimilarSpace, SPACES, type Space } from './spaces.ts';
export { VectorStore } from './store.ts';
export { TextQueryRetriever } from './text-query.ts';
