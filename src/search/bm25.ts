// bm25 as FTS5 computes it (fts5_aux.c: k1 = 1.2, b = 0.75, each phrase's hits weighted by
// their column's weight, the row's length in tokens over all columns against the mean, IDF
// floored at 1e-6), computed here for candidates the ranking has already read: asking FTS5
// for it costs ~8 µs a row (it re-reads every phrase's position lists), this ~0.1 µs.
// Like FTS5's `rank`, lower (more negative) is better.
import { COLUMN_WEIGHTS, FTS_COLUMNS } from './schema.ts';

const K1 = 1.2;
const B = 0.75;

/** Column weights in FTS column order. */
export const WEIGHTS = FTS_COLUMNS.map((c) => COLUMN_WEIGHTS[c]);

export function inverseDocumentFrequency(rows: number, hits: number): number {
  const v = Math.log((rows - hits + 0.5) / (hits + 0.5));
  return v <= 0 ? 1e-6 : v;
}

/** `freq[i]`: phrase i's column-weighted hit count in the row; `idf[i]` its IDF. */
export function bm25(freq: Float64Array, idf: readonly number[], rowTokens: number, meanTokens: number): number {
  const norm = K1 * (1 - B + (B * rowTokens) / meanTokens);
  let score = 0;
  for (let i = 0; i < freq.length; i++) {
    const f = freq[i] as number;
    if (f > 0) score += ((idf[i] as number) * (f * (K1 + 1))) / (f + norm);
  }
  return -score;
}
