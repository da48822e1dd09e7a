// The three embedding spaces of the seed, their sizes and their columns in track_vectors.
export const SPACES = ['audio', 'lyric', 'metadata'] as const;
export type Space = (typeof SPACES)[number];
export type SimilarSpace = Space | 'blend';

export const DIMS: Record<Space, number> = { audio: 128, lyric: 384, metadata: 64 };

export const COLUMN: Record<Space, string> = {
  audio: 'audio_features',
  lyric: 'lyric_features',
  metadata: 'metadata_features',
};

export const isSpace = (s: string): s is Space => (SPACES as readonly string[]).includes(s);

/**
 * One batch of embeddings: every listed space has one entry per id, in order; null means
 * "not known yet" (the provider emits it later among its fallbacks).
 */
export interface EmbeddingBatch {
  ids: number[];
  vectors: Partial<Record<Space, (Float32Array | null)[]>>;
}
