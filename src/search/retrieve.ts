// Which rows are candidates, in as few FTS5 passes as the question allows.
//
// Every match of the query with all its derivations (typos, prefix, splits, concatenations)
// is read without bm25 when there are at most MATCH_CAP of them (98 % of the generated
// queries on Chinook): the buckets then rank every match exactly, and bm25 is looked up later
// for the page's ties only. Past the cap, bm25 picks the candidates: the best `k` of the
// words as typed, and only if they are fewer than `k`, the best `k` with derivations too
// (typo matches rank below exact ones, so they cannot reach a page that exact matches fill).
//
// Nothing at all: clauses that match nothing anywhere are dropped, and then fewer and fewer
// of the rest must match together, every subset of a size read. Relevance order and a page
// not full: the rows matching all but one clause follow, as Meilisearch fills a page from its
// next "words" bucket, one subset at a time, later words dropped first, until the page can be
// filled: "metallica one" reads Metallica's 120 tracks and stops, instead of ranking the ~400
// of "metallica OR one" (5× the strict service's time before).
//
// An explicit sort (price, duration, name) puts its key before relevance, so typo matches
// would mix with exact ones: there only the words as typed are used when they match at all
// (Algolia's typoTolerance "min" for sorted results), and pages are not filled. The same holds
// for a query written with operators (quotes, OR, -word, field:, *): it says exactly what it
// wants, and partial or typo matches after its exact ones would only be noise.
import { allOf, atLeast, eitherOf, type SearchPlan, subsets } from './plan.ts';
import type { CandidateRow, FacetCombo, SearchStatements } from './statements.ts';
import type { SearchSort } from './types.ts';

/** Most clause subsets tried when words are dropped (5 words: all 5 subsets of 4, 10 of 3). */
const MAX_SUBSETS = 10;

/**
 * Longest query whose page is filled with rows missing one of its words: past four words the
 * rows holding them all are what was meant (a whole title and artist), and reading nine
 * eight-word subsets cost ~1 ms for nothing.
 */
const MAX_FILL_CLAUSES = 4;

/** Rows a subset may match: at most those of its rarest clause. */
const subsetRows = (plan: SearchPlan, set: number[]) => Math.min(...set.map((i) => (plan.clauses[i] as { rows: number }).rows));

/** Filler rows read beyond what the page needs (the buckets pick among them). */
const FILL_MARGIN = 40;

/** Most matches ranked exactly in JS (~1.5 µs each); past it bm25 chooses the candidates. */
export const MATCH_CAP = 200;

export interface RetrieveRequest {
  plan: SearchPlan;
  filters: string[];
  params: Record<string, number>;
  sort: SearchSort;
  /** The query uses operators: the first pass with matches only, no partial matches after them. */
  precise: boolean;
  /** Rows the caller will show or fuse (offset + limit, or the hybrid keyword list). */
  need: number;
  /** Candidates ranked by bm25 when the matches are too many to rank all. */
  k: number;
  facets: boolean;
}

export interface Retrieval {
  rows: CandidateRow[];
  /** The expression the rows, the total and the facets come from (null: nothing matched). */
  expr: string | null;
  total: number;
  combos: FacetCombo[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function retrieve(stmts: SearchStatements, r: RetrieveRequest): Retrieval {
  const { plan, filters, params, sort, k } = r;
  const matches = (expr: string) => stmts.matches(filters, sort).all({ ...params, expr, cap: MATCH_CAP + 1 }) as CandidateRow[];
  const ranked = (expr: string) => stmts.candidates(filters, sort).all({ ...params, expr, k }) as CandidateRow[];
  const n = plan.clauses.length;
  const all = range(n);
  const asTyped = allOf(plan, all, 0);
  const forgiving = allOf(plan, all) as string; // every clause has its word as typed: never null
  const minimal = sort !== 'relevance' || r.precise;
  // True while `rows` holds every match of `expr`.
  let complete = true;
  /**
   * Rows matching at least one of `sets` (clause subsets), until `enough` are found. A subset
   * past MATCH_CAP is ranked by bm25, or when only filling a page, cut at the cap unranked.
   */
  const gather = (sets: number[][], enough: number, filling: boolean): CandidateRow[] => {
    let found: CandidateRow[] = [];
    for (const [i, set] of sets.entries()) {
      const e = allOf(plan, set) as string;
      let got = matches(e);
      if (filling && found.length + got.length > enough + FILL_MARGIN) {
        // Filler past what the page needs is never shown: the first rows will do.
        got = got.slice(0, Math.max(0, enough + FILL_MARGIN - found.length));
        complete = false;
      } else if (got.length > MATCH_CAP) {
        got = ranked(e);
        complete = false;
      }
      found = union(found, got);
      if (found.length >= enough && i < sets.length - 1) {
        complete = false;
        break;
      }
    }
    return found;
  };

  let expr: string | null = forgiving;
  let rows: CandidateRow[] = [];
  if (minimal && asTyped !== null && asTyped !== forgiving) {
    rows = matches(asTyped);
    if (rows.length > 0) expr = asTyped;
  }
  let tooMany = false;
  if (rows.length === 0) {
    // When even the rarest clause is in more rows than the cap (the vocabulary says so), a
    // count up to the cap decides first: handing the 201 ids of "iron maiden" to JS, for bm25
    // to rank them again, cost ~97 µs; counting them in SQLite ~25 µs.
    const bound = Math.min(...plan.clauses.map((c) => c.rows));
    const upTo = bound > MATCH_CAP ? (stmts.countUpTo(filters).get({ ...params, expr: forgiving, cap: MATCH_CAP + 1 }) as { n: number }).n : null;
    tooMany = upTo !== null && upTo > MATCH_CAP;
    if (upTo !== 0 && !tooMany) rows = matches(forgiving);
  }

  if (tooMany || rows.length > MATCH_CAP) {
    // Too many to rank all: bm25 picks, the words as typed first.
    complete = false;
    const first = asTyped !== null && expr === forgiving ? ranked(asTyped) : [];
    rows = first.length >= k ? first : union(first, ranked(expr));
  } else if (rows.length === 0) {
    expr = null;
    // A word the vocabulary holds matches somewhere: only the others are probed.
    const live = all.filter((i) => plan.clauses[i]?.known || stmts.anyMatch.get(allOf(plan, [i])));
    // With every clause matching somewhere, all of them together is what just found nothing.
    let size = live.length === n ? n - 1 : live.length;
    const allButOne = live.length === n && n >= 3 ? allButOneSets(stmts, plan, live) : null;
    if (allButOne) {
      rows = gather(allButOne, Number.POSITIVE_INFINITY, false);
      if (rows.length > 0) expr = eitherOf(plan, allButOne);
      // Empty, the two sets prove that no row holds all words but one.
      size = n - 2;
    }
    for (; size >= 1 && rows.length === 0; size--) {
      complete = true;
      // Every subset of this size: the one to show may drop any word (an extra word comes anywhere).
      rows = gather(size === live.length ? [live] : subsets(live, size, MAX_SUBSETS), Number.POSITIVE_INFINITY, false);
      if (rows.length > 0) expr = size === live.length ? allOf(plan, live) : atLeast(plan, live, size, MAX_SUBSETS);
    }
    if (rows.length === 0 || expr === null) return { rows: [], expr: null, total: 0, combos: [] };
  } else if (!minimal && rows.length < r.need && n >= 2 && n <= MAX_FILL_CLAUSES) {
    // The most frequent word goes first (Meilisearch's "frequency" strategy): "the pilgrim"
    // fills with Pilgrim rows, not with the 1 000 rows holding "the".
    const rarestFirst = subsets(all, n - 1, MAX_SUBSETS).sort((a, b) => subsetRows(plan, a) - subsetRows(plan, b));
    rows = union(rows, gather(rarestFirst, r.need - rows.length, true));
    expr = atLeast(plan, all, n - 1, MAX_SUBSETS);
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

/**
 * The clause sets whose rows are exactly those holding every live clause but one, found with
 * pair probes instead of reading every subset of n - 1: a row missing one clause either holds
 * the rarest clause R, and then misses every clause never seen beside R, or misses R. So when
 * one clause c never meets R, the rows are those of "all but c" and "all but R"; when two or
 * more never meet R, only "all but R". A 20-word title with one unknown word used to read up
 * to 181 subsets (7–9 ms, the slow tail of the extra-word kind); this reads 19 pairs and 2 sets.
 * Null when every clause meets R somewhere (then the subsets are read as before).
 * (Concatenations make a clause pair match as one word, so the proof is exact for words only.)
 */
function allButOneSets(stmts: SearchStatements, plan: SearchPlan, live: number[]): number[][] | null {
  const rows = (i: number) => (plan.clauses[i] as { rows: number }).rows;
  const rarest = live.reduce((a, b) => (rows(b) < rows(a) ? b : a));
  const apart = live.filter((i) => i !== rarest && !stmts.anyMatch.get(allOf(plan, [Math.min(rarest, i), Math.max(rarest, i)])));
  if (apart.length === 0) return null;
  const withoutRarest = live.filter((i) => i !== rarest);
  return apart.length === 1 ? [live.filter((i) => i !== apart[0]), withoutRarest] : [withoutRarest];
}

/** `a`, then the rows of `b` not in it. */
function union(a: CandidateRow[], b: CandidateRow[]): CandidateRow[] {
  if (a.length === 0) return b;
  const seen = new Set(a.map((r) => r.id));
  return [...a, ...b.filter((r) => !seen.has(r.id))];
}
