// The order of the candidates, in buckets as Meilisearch ranks (its "ranking rules"), best
// first: more clauses matched → fewer typos (and the likelier reading of a typo) → later
// words dropped first → proximity → attribute (a column the words fill entirely, then
// title > artist > album > composer > genre) → words matched as typed rather than completed
// or corrected → bm25 → popularity. An explicit sort (price, duration, name) comes first.
//
// bm25 is computed in JS from the rows' tokens (bm25.ts). Popularity only decides between
// rows equal on everything else, and only the page is shown: the rows are sorted without it
// first, and it is looked up only for the runs of ties that overlap the page.
import type { Features } from './match.ts';
import type { CandidateRow } from './statements.ts';
import type { SearchSort } from './types.ts';

export interface RankedRow extends CandidateRow {
  features: Features;
  pop?: number;
}

const byName = (a: RankedRow, b: RankedRow) => {
  const x = (a.name ?? '').toLowerCase();
  const y = (b.name ?? '').toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

const SORT_KEYS: Record<SearchSort, (a: RankedRow, b: RankedRow) => number> = {
  relevance: () => 0,
  price: (a, b) => (a.unitPrice as number) - (b.unitPrice as number),
  '-price': (a, b) => (b.unitPrice as number) - (a.unitPrice as number),
  duration: (a, b) => (a.milliseconds as number) - (b.milliseconds as number),
  '-duration': (a, b) => (b.milliseconds as number) - (a.milliseconds as number),
  name: byName,
};

/** The buckets, without bm25 and popularity. */
export function comparatorOfBuckets(sort: SearchSort): (a: RankedRow, b: RankedRow) => number {
  const sortKey = SORT_KEYS[sort];
  return (a, b) => {
    const x = a.features;
    const y = b.features;
    return (
      sortKey(a, b) ||
      y.words - x.words ||
      x.typos - y.typos ||
      x.penalty - y.penalty ||
      y.order - x.order ||
      x.proximity - y.proximity ||
      x.attribute - y.attribute ||
      y.exact - x.exact
    );
  };
}

/** Buckets, then bm25 to 2 decimals (smaller differences are document-length noise). */
function comparatorBeforePopularity(sort: SearchSort): (a: RankedRow, b: RankedRow) => number {
  const buckets = comparatorOfBuckets(sort);
  return (a, b) => buckets(a, b) || Math.round((a.bm ?? 0) * 100) - Math.round((b.bm ?? 0) * 100);
}

/**
 * Sorts `rows` into their final order as far as `settled` (the page: [from, to)) is concerned.
 * Popularity is looked up once, for the runs of ties that overlap the page: rows outside those
 * runs cannot move into or out of the page.
 */
export function rankRows(rows: RankedRow[], sort: SearchSort, settled: [number, number], popularity: (ids: number[]) => Map<number, number>): RankedRow[] {
  const beforePop = comparatorBeforePopularity(sort);
  const full = (a: RankedRow, b: RankedRow) => beforePop(a, b) || (b.pop ?? 0) - (a.pop ?? 0) || (a.bm ?? 0) - (b.bm ?? 0) || a.id - b.id;
  rows.sort(full);
  const tied: number[] = [];
  const [from, to] = settled;
  for (let start = 0; start < rows.length && start < to; ) {
    let end = start + 1;
    while (end < rows.length && beforePop(rows[start] as RankedRow, rows[end] as RankedRow) === 0) end++;
    if (end - start > 1 && end > from) for (let i = start; i < end; i++) tied.push((rows[i] as RankedRow).id);
    start = end;
  }
  if (tied.length === 0) return rows;
  const pop = popularity(tied);
  for (const r of rows) r.pop = pop.get(r.id) ?? 0;
  return rows.sort(full);
}
