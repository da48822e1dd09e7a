// What the sharded index took from src/ when it was replaced, frozen here so that the baseline
// keeps measuring what it measured (bench baselines import no live code): the spaces' sizes
// and columns (src/vectors/spaces.ts) and the seeded PRNG its sign bits are drawn with
// (mulberry32, src/vectors/linalg.ts seededRandom).
import type { Space } from '../../../src/vectors/spaces.ts';

export const SPACES: readonly Space[] = ['audio', 'lyric', 'metadata'];

export const DIMS: Record<Space, number> = { audio: 128, lyric: 384, metadata: 64 };

export const COLUMN: Record<Space, string> = { audio: 'audio_features', lyric: 'lyric_features', metadata: 'metadata_features' };

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
