// Typo correction of the search service before issue 18 (unchanged since commit 0351320), frozen
// for search-strict.ts: the baseline must not change when the live code does.
// Typo tolerance: a term with no match is replaced by the closest term of the index
// vocabulary (fts5vocab), within 1 edit for words of 5+ letters and 2 for 9+.
import type { Db } from '../../src/db/index.ts';

const VOCAB = 'music_search_vocab';

export function maxEdits(word: string): number {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/**
 * Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours),
 * giving up as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] as number;
}

const NON_ASCII = /[^ -~\t\n\r]/;

/** Lower case without diacritics (as remove_diacritics does); ASCII skips the normalisation. */
export const fold = (s: string) => (NON_ASCII.test(s) ? s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() : s.toLowerCase());

interface VocabEntry {
  term: string;
  docs: number;
}

/**
 * The index vocabulary, read once and kept for `ttlMs`: reading fts5vocab walks the whole
 * term index, too slow to repeat per typo. A term added since the snapshot can be missed
 * as a correction target for at most ttlMs; it is never missed as a search term.
 */
export class Vocabulary {
  private byLength = new Map<number, VocabEntry[]>();
  private loadedAt = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 60_000,
  ) {}

  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  private load(): void {
    const byLength = new Map<number, VocabEntry[]>();
    for (const row of this.db.prepare(`SELECT term, doc FROM ${VOCAB}`).iterate() as Iterable<{ term: string; doc: number }>) {
      const list = byLength.get(row.term.length) ?? [];
      list.push({ term: row.term, docs: row.doc });
      byLength.set(row.term.length, list);
    }
    this.byLength = byLength;
    this.loadedAt = performance.now();
  }

  /** Closest vocabulary term within the allowed distance; ties go to the term in most documents. */
  correct(word: string): string | null {
    const max = maxEdits(word);
    if (max === 0) return null;
    if (performance.now() - this.loadedAt > this.ttlMs) this.load();
    const w = fold(word);
    let best: VocabEntry | null = null;
    let bestDist = max + 1;
    for (let len = w.length - max; len <= w.length + max; len++) {
      for (const e of this.byLength.get(len) ?? []) {
        const d = editDistance(w, e.term, Math.min(max, bestDist));
        if (d === 0) continue;
        if (d < bestDist || (d === bestDist && best && e.docs > best.docs)) {
          best = e;
          bestDist = d;
        }
      }
    }
    return best && bestDist <= max ? best.term : null;
  }
}
