// Hybrid search fuses the keyword ranking with the vector side's nearest tracks.

/** Reciprocal rank fusion: each list adds 1/(k + rank); rank starts at 1. */
export function reciprocalRankFusion(lists: readonly (readonly number[])[], k = 60): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((id, i) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);
}
