// Which rows are candidates, in as few FTS5 passes as the question allows:
//
//   1. every clause as typed (exact words, the last one also as a prefix). With at least
//      `k` rows, nothing with a typo can reach the page (typos rank below), so stop here;
//   2. otherwise every clause with all its derivations (typos, splits, concatenations);
//   3. nothing at all: clauses that match nothing anywhere are dropped, and then fewer and
//      fewer of the rest must match together (subsets dropping later words first);
//   4. relevance order and a page not full: the rows matching all but one clause follow,
//      as Meilisearch fills a page from its next "words" bucket.
//
// An explicit sort (price, duration, name) puts its key before relevance, so typo matches
// would mix with exact ones: there only the first of steps 1–3 with any match is used
// (Algolia's typoTolerance "min" for sorted results), and step 4 is skipped. The same holds
// for a query written with operators (quotes, OR, -word, field:, *): it says exactly what it
// wants, and partial or typo matches after its exact ones would only be noise.
import { allOf, atLeast, type SearchPlan } from './plan.ts';
import type { CandidateRow, FacetCombo, SearchStatements } from './statements.ts';
import type { SearchSort } from './types.ts';

export interface RetrieveRequest {
  plan: SearchPlan;
  filters: string[];
  params: Record<string, number>;
  sort: SearchSort;
  /** The query uses operators: the first pass with matches only, no partial matches after them. */
  precise: boolean;
  /** Rows the caller will show or fuse (offset + limit, or the hybrid keyword list). */
  need: number;
  /** Candidates fetched per pass: `need` plus room for the buckets to reorder what bm25 put first. */
  k: number;
  facets: boolean;
}

export interface Retrieval {
  rows: CandidateRow[];
  /** The expression the total and facets count (null: nothing matched). */
  expr: string | null;
  total: number;
  combos: FacetCombo[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function retrieve(stmts: SearchStatements, r: RetrieveRequest): Retrieval {
  const { plan, filters, params, sort, k } = r;
  const fetch = (expr: string) => stmts.candidates(filters, sort).all({ ...params, expr, k }) as CandidateRow[];
  const n = plan.clauses.length;
  const all = range(n);
  const asTyped = allOf(plan, all, 0);
  const forgiving = allOf(plan, all) as string; // every clause has its word as typed: never null
  let rows: CandidateRow[] = [];
  let expr: string | null = forgiving;
  // True when `rows` holds every match of `expr` (the pass returned fewer than k).
  let complete = false;

  const minimal = sort !== 'relevance' || r.precise;
  const first = asTyped ? fetch(asTyped) : [];
  if (first.length >= k) {
    rows = first;
    if (minimal) expr = asTyped;
  } else if (first.length > 0 && (minimal || asTyped === forgiving)) {
    rows = first;
    expr = asTyped;
    complete = true;
  } else {
    const second = asTyped === forgiving ? first : fetch(forgiving);
    rows = union(first, second);
    complete = second.length < k;
  }

  if (rows.length === 0) {
    expr = null;
    const live = all.filter((i) => stmts.anyMatch.get(allOf(plan, [i])));
    // With every clause matching somewhere, all of them together is what just found nothing.
    for (let size = live.length === n ? n - 1 : live.length; size >= 1 && rows.length === 0; size--) {
      const e = size === live.length ? allOf(plan, live) : atLeast(plan, live, size);
      if (e === null) continue;
      rows = fetch(e);
      expr = e;
      complete = rows.length < k;
    }
    if (rows.length === 0) return { rows, expr: null, total: 0, combos: [] };
  } else if (!minimal && rows.length < r.need && n >= 2 && complete) {
    const e = atLeast(plan, all, n - 1);
    if (e !== null) {
      const more = fetch(e);
      rows = union(rows, more);
      expr = e;
      complete = more.length < k;
    }
  }

  let combos: FacetCombo[] = [];
  let total: number;
  if (r.facets) {
    combos = stmts.facets(filters).all({ ...params, expr }) as FacetCombo[];
    total = combos.reduce((s, c) => s + c.n, 0);
  } else {
    total = complete ? rows.length : (stmts.count(filters).get({ ...params, expr }) as { n: number }).n;
  }
  return { rows, expr, total, combos };
}

/** `a`, then the rows of `b` not in it. */
function union(a: CandidateRow[], b: CandidateRow[]): CandidateRow[] {
  if (a.length === 0) return b;
  const seen = new Set(a.map((r) => r.id));
  return [...a, ...b.filter((r) => !seen.has(r.id))];
}
