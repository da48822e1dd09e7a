// The order of the candidates, in buckets as Meilisearch ranks (its "ranking rules"), best
// first: more clauses matched → fewer typos (and the likelier reading of a typo) → later
// words dropped first → proximity → attribute (a column the words fill entirely, then
// title > artist > album > composer > genre) → words matched as typed rather than completed
// or corrected → bm25 → popularity. An explicit sort (price, duration, name) comes first.
//
// bm25 is computed in JS from the rows' tokens (bm25.ts) and compared to 2 decimals first
// (smaller differences are document-length noise). Popularity only decides between rows
// equal on everything else, and only the page is shown: the rows are sorted without it
// first, and it is looked up only for the runs of ties that overlap the page.
//
// Rows are one class with plain number fields and the comparators are module functions: rows
// of varying shape and comparators built per call cost ~0.2 µs a comparison, a third of a
// Chinook search.
import type { DocText, Features } from './match.ts';
import type { CandidateRow } from './statements.ts';
import type { SearchSort } from './types.ts';

export class RankedRow {
  readonly words: number;
  readonly typos: number;
  readonly penalty: number;
  readonly order: number;
  readonly proximity: number;
  readonly attribute: number;
  readonly exact: number;
  readonly bm: number;
  readonly bmRounded: number;
  pop = 0;
  readonly unitPrice: number;
  readonly milliseconds: number;
  readonly name: string;

  constructor(
    readonly id: number,
    readonly doc: DocText,
    readonly features: Features,
    candidate: CandidateRow,
  ) {
    this.words = features.words;
    this.typos = features.typos;
    this.penalty = features.penalty;
    this.order = features.order;
    this.proximity = features.proximity;
    this.attribute = features.attribute;
    this.exact = features.exact;
    this.bm = features.bm25;
    this.bmRounded = Math.round(features.bm25 * 100);
    this.unitPrice = candidate.unitPrice ?? 0;
    this.milliseconds = candidate.milliseconds ?? 0;
    this.name = (candidate.name ?? '').toLowerCase();
  }
}

function buckets(a: RankedRow, b: RankedRow): number {
  return (
    b.words - a.words ||
    a.typos - b.typos ||
    a.penalty - b.penalty ||
    b.order - a.order ||
    a.proximity - b.proximity ||
    a.attribute - b.attribute ||
    b.exact - a.exact
  );
}

function sortKey(sort: SearchSort, a: RankedRow, b: RankedRow): number {
  switch (sort) {
    case 'relevance':
      return 0;
    case 'price':
      return a.unitPrice - b.unitPrice;
    case '-price':
      return b.unitPrice - a.unitPrice;
    case 'duration':
      return a.milliseconds - b.milliseconds;
    case '-duration':
      return b.milliseconds - a.milliseconds;
    case 'name':
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }
}

/** The buckets under `sort`, without bm25 and popularity. */
export function compareBuckets(sort: SearchSort, a: RankedRow, b: RankedRow): number {
  return sortKey(sort, a, b) || buckets(a, b);
}

function beforePopularity(sort: SearchSort, a: RankedRow, b: RankedRow): number {
  return sortKey(sort, a, b) || buckets(a, b) || a.bmRounded - b.bmRounded;
}

function full(sort: SearchSort, a: RankedRow, b: RankedRow): number {
  return beforePopularity(sort, a, b) || b.pop - a.pop || a.bm - b.bm || a.id - b.id;
}

/**
 * Sorts `rows` into their final order as far as `settled` (the page: [from, to)) is concerned.
 * `popularity` is asked once, for the ids in runs of ties that overlap the page: rows outside
 * those runs cannot move into or out of the page.
 */
export function rankRows(rows: RankedRow[], sort: SearchSort, settled: [number, number], popularity: (ids: number[]) => Map<number, number>): RankedRow[] {
  rows.sort((a, b) => full(sort, a, b));
  const tied: number[] = [];
  const [from, to] = settled;
  for (let start = 0; start < rows.length && start < to; ) {
    let end = start + 1;
    while (end < rows.length && beforePopularity(sort, rows[start] as RankedRow, rows[end] as RankedRow) === 0) end++;
    if (end - start > 1 && end > from) for (let i = start; i < end; i++) tied.push((rows[i] as RankedRow).id);
    start = end;
  }
  if (tied.length === 0) return rows;
  const pop = popularity(tied);
  for (const r of rows) r.pop = pop.get(r.id) ?? 0;
  return rows.sort((a, b) => full(sort, a, b));
}

/** The row relevance would put first (what "showing results for" describes under another sort). */
export function bestByRelevance(rows: RankedRow[]): RankedRow | undefined {
  let best: RankedRow | undefined;
  for (const r of rows) if (!best || buckets(r, best) < 0) best = r;
  return best;
}
