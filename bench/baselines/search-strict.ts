// The search service as it was before issue 18 ("forgiving search"), frozen for the benchmark
// and the evaluation: a strict AND of the typed words, one typo fix guessed per word when the
// query matches nothing, no prefix for the last word. `npm run bench` times it alternately with
// the current service and scores it on the same generated queries.
import type { Db, Stmt } from '../../src/db/index.ts';
import { ApiError } from '../../src/errors.ts';
// Suggestions are not what issue 18 changed: the baseline answers them with the live suggester.
import { Suggester, type SuggesterOptions, type Suggestion } from '../../src/search/suggest.ts';
import { escapeHtml, markHighlight } from './highlight-strict.ts';
import { type ParsedQuery, parseQuery, plainText, renderQuery, type Term, termFts, toFts, tokenize } from './query-strict.ts';
import { editDistance, fold, Vocabulary } from './typo-strict.ts';

// The index table's name as it was (src/search/schema.ts): the table is the live database's.
const FTS = 'music_search_fts';

/** Units sold plus plays: the tie-breaker between equally relevant tracks. */
const POPULARITY = (id: string) =>
  `((SELECT COALESCE(sum(il.quantity), 0) FROM chinook_invoice_lines il WHERE il.track_id = ${id}) + COALESCE((SELECT pc.plays FROM track_play_counts pc WHERE pc.track_id = ${id}), 0))`;

export interface SearchFilters {
  genreId?: number | undefined;
  mediaTypeId?: number | undefined;
  artistId?: number | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
}

export const SEARCH_SORTS = ['relevance', 'price', '-price', 'duration', '-duration', 'name'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export type SearchMode = 'keyword' | 'hybrid';

export interface SearchRequest extends SearchFilters {
  q: string;
  sort?: SearchSort | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  mode?: SearchMode | undefined;
  /** Facet counts cost one more pass over the matches; off for as-you-type result lists. */
  facets?: boolean | undefined;
}

export interface SearchHit {
  id: number;
  name: string;
  album: string | null;
  albumId: number | null;
  artist: string | null;
  artistId: number | null;
  genre: string | null;
  genreId: number | null;
  mediaTypeId: number;
  composer: string | null;
  unitPrice: number;
  milliseconds: number;
  score: number;
  highlight: { name: string; album: string | null; artist: string | null; composer: string | null };
}

export interface FacetValue {
  id: number;
  name: string;
  count: number;
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  facets: { genre: FacetValue[]; mediaType: FacetValue[]; artist: FacetValue[] };
  correctedQuery?: string;
  mode: SearchMode;
  tookMs: number;
}

/**
 * Where hybrid search plugs in: the vectors module implements this (nearest tracks in the
 * lyric/text embedding space, best first) and calls SearchService.setVectorRetriever.
 */
export interface VectorRetriever {
  readonly name: string;
  nearestTracks(query: string, k: number): number[];
}

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

interface FacetCombo {
  genreId: number | null;
  mediaTypeId: number;
  artistId: number | null;
  n: number;
}

interface Candidate {
  id: number;
  bm: number;
  exact: number;
  // Only in the wide candidate rows (a sort other than relevance, or a multi-word query).
  unitPrice?: number;
  milliseconds?: number;
  name?: string;
  artist?: string | null;
  /** Looked up only for candidates tied with a neighbour on the page (see rankCandidates). */
  pop?: number;
}

type Details = Omit<SearchHit, 'score' | 'highlight'>;
/** A row of the page statement, read raw (arrays cost ~25% less than objects here): DETAILS, then the 4 highlights. */
type PageTuple = [...details: DetailTuple, hName: string, hAlbum: string, hArtist: string, hComposer: string];
type DetailTuple = [
  id: number,
  name: string,
  album: string | null,
  albumId: number | null,
  artist: string | null,
  artistId: number | null,
  genre: string | null,
  genreId: number | null,
  mediaTypeId: number,
  composer: string | null,
  unitPrice: number,
  milliseconds: number,
];
const detailsOf = (t: DetailTuple | PageTuple): Details => ({
  id: t[0],
  name: t[1],
  album: t[2],
  albumId: t[3],
  artist: t[4],
  artistId: t[5],
  genre: t[6],
  genreId: t[7],
  mediaTypeId: t[8],
  composer: t[9],
  unitPrice: t[10],
  milliseconds: t[11],
});

const DETAILS = `t.id, t.name, al.title AS album, t.album_id AS albumId, ar.name AS artist, al.artist_id AS artistId,
  g.name AS genre, t.genre_id AS genreId, t.media_type_id AS mediaTypeId, t.composer,
  t.unit_price AS unitPrice, t.milliseconds`;
const DETAIL_JOINS = `LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;

const filterSql: [keyof SearchFilters, string][] = [
  ['genreId', 't.genre_id = @genreId'],
  ['mediaTypeId', 't.media_type_id = @mediaTypeId'],
  ['artistId', 'al.artist_id = @artistId'],
  ['minPrice', 't.unit_price >= @minPrice'],
  ['maxPrice', 't.unit_price <= @maxPrice'],
  ['minDurationMs', 't.milliseconds >= @minDurationMs'],
  ['maxDurationMs', 't.milliseconds <= @maxDurationMs'],
];

/** Sort keys ahead of relevance, as columns of the candidate set `c`. */
const sortKeys: Record<SearchSort, string[]> = {
  relevance: [],
  price: ['t.unit_price'],
  '-price': ['t.unit_price DESC'],
  duration: ['t.milliseconds'],
  '-duration': ['t.milliseconds DESC'],
  name: ['t.name COLLATE NOCASE'],
};

/** How many candidates beyond the page get a popularity lookup (the tie-breaker). */
export const TIE_BREAK_MARGIN = 20;

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
export const HYBRID_CANDIDATES = 100;

export class StrictSearchService {
  private readonly cached = new Map<string, Stmt>();
  private readonly vocabulary: Vocabulary;
  private vectorRetriever: VectorRetriever | null = null;
  private readonly suggester: Suggester;
  private readonly stmts: Record<
    'details' | 'page' | 'exactIds' | 'popularity' | 'anyMatch' | 'vectorFilter' | 'genreNames' | 'mediaTypeNames' | 'artistNames',
    Stmt
  >;

  constructor(
    private readonly db: Db,
    options: { suggest?: SuggesterOptions } = {},
  ) {
    this.vocabulary = new Vocabulary(db);
    this.suggester = new Suggester(db, options.suggest);
    this.stmts = {
      details: db.prepare(`SELECT ${DETAILS} FROM chinook_tracks t ${DETAIL_JOINS} WHERE t.id IN (SELECT value FROM json_each(?))`),
      // The page's details and highlights in one pass. highlight() needs the MATCH cursor, so
      // the matches are walked once more, but only the page's rows are joined and marked.
      // `+rowid` keeps the id list away from FTS5 (pushed down, it would re-run MATCH once per
      // id); CROSS JOIN keeps FTS5 the outer loop.
      page: db
        .prepare(`
        SELECT ${DETAILS},
               highlight(${FTS}, 0, '${MARK_OPEN}', '${MARK_CLOSE}') AS hName,
               highlight(${FTS}, 1, '${MARK_OPEN}', '${MARK_CLOSE}') AS hAlbum,
               highlight(${FTS}, 2, '${MARK_OPEN}', '${MARK_CLOSE}') AS hArtist,
               highlight(${FTS}, 4, '${MARK_OPEN}', '${MARK_CLOSE}') AS hComposer
        FROM ${FTS} f CROSS JOIN chinook_tracks t ${DETAIL_JOINS}
        WHERE ${FTS} MATCH ? AND +f.rowid IN (SELECT value FROM json_each(?)) AND t.id = f.rowid`)
        .raw(true),
      // Tracks whose name, or whose artist's name, is the query: one index seek per arm
      // (OR would scan); CROSS JOIN fixes the join order. UNION ALL: a duplicate id is
      // harmless in the IN list, and deduplicating cost half of this query.
      exactIds: db
        .prepare(`
        WITH ex(id) AS (
          SELECT id FROM chinook_tracks WHERE name = @exact1 COLLATE NOCASE
          UNION ALL SELECT id FROM chinook_tracks WHERE name = @exact2 COLLATE NOCASE
          UNION ALL SELECT t.id FROM chinook_artists ar CROSS JOIN chinook_albums al CROSS JOIN chinook_tracks t
                WHERE ar.name = @exact1 COLLATE NOCASE AND al.artist_id = ar.id AND t.album_id = al.id
          UNION ALL SELECT t.id FROM chinook_artists ar CROSS JOIN chinook_albums al CROSS JOIN chinook_tracks t
                WHERE ar.name = @exact2 COLLATE NOCASE AND al.artist_id = ar.id AND t.album_id = al.id
        )
        SELECT json_group_array(id) FROM ex`)
        .pluck(),
      popularity: db.prepare(`SELECT value AS id, ${POPULARITY('value')} AS pop FROM json_each(?)`),
      genreNames: db.prepare('SELECT id, name FROM chinook_genres WHERE id IN (SELECT value FROM json_each(?))'),
      mediaTypeNames: db.prepare('SELECT id, name FROM chinook_media_types WHERE id IN (SELECT value FROM json_each(?))'),
      artistNames: db.prepare('SELECT id, name FROM chinook_artists WHERE id IN (SELECT value FROM json_each(?))'),
      anyMatch: db.prepare(`SELECT 1 FROM ${FTS} WHERE ${FTS} MATCH ? LIMIT 1`),
      vectorFilter: db.prepare(`
        SELECT t.id FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id
        WHERE t.id IN (SELECT value FROM json_each(@ids))
          AND (@genreId IS NULL OR t.genre_id = @genreId) AND (@mediaTypeId IS NULL OR t.media_type_id = @mediaTypeId)
          AND (@artistId IS NULL OR al.artist_id = @artistId)
          AND (@minPrice IS NULL OR t.unit_price >= @minPrice) AND (@maxPrice IS NULL OR t.unit_price <= @maxPrice)
          AND (@minDurationMs IS NULL OR t.milliseconds >= @minDurationMs) AND (@maxDurationMs IS NULL OR t.milliseconds <= @maxDurationMs)`),
    };
  }

  setVectorRetriever(retriever: VectorRetriever | null): void {
    this.vectorRetriever = retriever;
  }

  /** After a rebuild the vocabulary snapshot used for typo correction is stale. */
  invalidateVocabulary(): void {
    this.vocabulary.invalidate();
  }

  private stmt(key: string, sql: () => string): Stmt {
    let stmt = this.cached.get(key);
    if (!stmt) {
      stmt = this.db.prepare(sql());
      this.cached.set(key, stmt);
    }
    return stmt;
  }

  /**
   * One pass over the matches computes bm25 (FTS5's rank, weights in the table config) and
   * keeps the best offset+limit+margin candidates (exact matches first, so they are never
   * cut); the final order is settled in JS (see rankCandidates). Narrow rows (id, bm25,
   * exact) when that is all the order needs; `wide` adds the columns a sort or the
   * multi-word exact test reads, for the candidates only.
   */
  private candidateStmt(filters: string[], sort: SearchSort, exact: boolean, wide: boolean): Stmt {
    return this.stmt(`page|${sort}|${exact}|${wide}|${filters.join(',')}`, () => {
      const keys = sortKeys[sort];
      const lean = sort === 'relevance' && filters.length === 0;
      // The exact ids come as a JSON list from their own small query: as a CTE here they
      // cost more than the list lookup per match (~90 µs vs ~40 µs for "metallica").
      const exactCol = exact ? 'f.rowid IN (SELECT value FROM json_each(@exactIds))' : '0';
      // `+bm`: a plain rank order is handed to FTS5, whose own sorter copies every match's
      // position lists and is 20-40% slower than SQLite's (1M tracks: 5.0 vs 3.4 ms).
      const inner = lean
        ? // Relevance without filters needs nothing but the index: no catalog join per match.
          `SELECT f.rowid AS id, f.rank AS bm, ${exactCol} AS exact
           FROM ${FTS} f WHERE ${FTS} MATCH @expr
           ORDER BY ${exact ? 'exact DESC, +bm' : '+bm'} LIMIT @candidates`
        : `SELECT f.rowid AS id, f.rank AS bm, ${exactCol} AS exact
           FROM ${FTS} f
           JOIN chinook_tracks t ON t.id = f.rowid
           LEFT JOIN chinook_albums al ON al.id = t.album_id
           WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
           ORDER BY ${[...keys, 'exact DESC', '+bm'].join(', ')}
           LIMIT @candidates`;
      if (!wide) return inner;
      return `
        WITH c AS (${inner})
        SELECT c.id, c.bm, c.exact, t.unit_price AS unitPrice, t.milliseconds, t.name,
               (SELECT ar.name FROM chinook_albums al JOIN chinook_artists ar ON ar.id = al.artist_id WHERE al.id = t.album_id) AS artist
        FROM c JOIN chinook_tracks t ON t.id = c.id`;
    });
  }

  private countStmt(filters: string[]): Stmt {
    return this.stmt(`count|${filters.join(',')}`, () =>
      filters.length === 0
        ? `SELECT count(*) AS n FROM ${FTS} WHERE ${FTS} MATCH @expr`
        : `SELECT count(*) AS n FROM ${FTS} f JOIN chinook_tracks t ON t.id = f.rowid LEFT JOIN chinook_albums al ON al.id = t.album_id
           WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}`,
    );
  }

  /** Match counts per (genre, media type, artist): total and all three facets from one pass. */
  private facetStmt(filters: string[]): Stmt {
    return this.stmt(
      `facet|${filters.join(',')}`,
      () => `
        SELECT t.genre_id AS genreId, t.media_type_id AS mediaTypeId, al.artist_id AS artistId, count(*) AS n
        FROM ${FTS} f JOIN chinook_tracks t ON t.id = f.rowid LEFT JOIN chinook_albums al ON al.id = t.album_id
        WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
        GROUP BY 1, 2, 3`,
    );
  }

  private params(q: ParsedQuery, raw: string, filters: SearchFilters): { params: Record<string, unknown>; active: string[] } {
    const plain = plainText(q);
    const params: Record<string, unknown> = {
      expr: toFts(q),
      exact1: plain === null ? null : raw.trim().replace(/\s+/g, ' '),
      exact2: plain,
    };
    // The same text twice would run the same index seeks twice.
    if (params.exact2 !== null && typeof params.exact1 === 'string' && params.exact1.toLowerCase() === String(params.exact2).toLowerCase())
      params.exact2 = null;
    const active: string[] = [];
    for (const [key, sql] of filterSql) {
      if (filters[key] === undefined) continue;
      params[key] = filters[key];
      active.push(sql);
    }
    return { params, active };
  }

  search(req: SearchRequest): SearchResult {
    const started = performance.now();
    const mode = req.mode ?? 'keyword';
    if (mode === 'hybrid' && !this.vectorRetriever) {
      throw new ApiError(400, 'hybrid_unavailable', 'mode=hybrid needs the vector index, which is not available in this build; use mode=keyword');
    }
    const limit = req.limit ?? 20;
    const offset = req.offset ?? 0;
    const sort = req.sort ?? 'relevance';
    const wantFacets = req.facets ?? true;
    if (req.minPrice !== undefined && req.maxPrice !== undefined && req.minPrice > req.maxPrice)
      throw new ApiError(400, 'bad_request', 'minPrice is above maxPrice');
    if (req.minDurationMs !== undefined && req.maxDurationMs !== undefined && req.minDurationMs > req.maxDurationMs) {
      throw new ApiError(400, 'bad_request', 'minDurationMs is above maxDurationMs');
    }
    let parsed = parseQuery(req.q);
    let { params, active } = this.params(parsed, req.q, req);
    const hybrid = mode === 'hybrid' && this.vectorRetriever !== null;
    // Hybrid fuses a whole keyword ranking, so every keyword candidate needs its final place.
    const wanted = hybrid ? HYBRID_CANDIDATES : offset + limit + TIE_BREAK_MARGIN;
    const settled: [number, number] = hybrid ? [0, HYBRID_CANDIDATES] : [offset, offset + limit];
    const attempt = () => {
      let combos: FacetCombo[] = [];
      let total: number | undefined;
      if (wantFacets) {
        combos = this.facetStmt(active).all(params) as FacetCombo[];
        total = combos.reduce((n, c) => n + c.n, 0);
        if (total === 0) return { total, combos, rows: [] as Candidate[] };
      }
      const rows = this.ranked(parsed, active, params, hybrid ? 'relevance' : sort, wanted, settled);
      // Fewer candidates than asked for are all the matches: no separate count needed.
      total ??= rows.length < wanted ? rows.length : (this.countStmt(active).get(params) as { n: number }).n;
      return { total, combos, rows };
    };
    let { total, combos, rows } = attempt();
    let corrected: { query: ParsedQuery; stems: string[] } | null = null;
    if (total === 0) {
      corrected = this.correct(parsed);
      if (corrected) {
        const before = { parsed, params, active };
        parsed = corrected.query;
        ({ params, active } = this.params(parsed, '', req));
        ({ total, combos, rows } = attempt());
        if (total === 0) {
          ({ parsed, params, active } = before);
          corrected = null;
        }
      }
    }
    let page: { id: number; score: number }[];
    if (hybrid && this.vectorRetriever) {
      const nearest = this.vectorRetriever.nearestTracks(req.q, HYBRID_CANDIDATES);
      const allowed = new Set((this.stmts.vectorFilter.all({ ids: JSON.stringify(nearest), ...nullFilters(req) }) as { id: number }[]).map((r) => r.id));
      const fused = reciprocalRankFusion([rows.map((r) => r.id), nearest.filter((id) => allowed.has(id))]);
      total = fused.length;
      page = fused.slice(offset, offset + limit);
    } else {
      page = rows.slice(offset, offset + limit).map((r) => ({ id: r.id, score: -r.bm }));
    }
    const hits = this.hydrate(page, params.expr as string);
    const result: SearchResult = {
      hits,
      total,
      facets: wantFacets ? this.facets(combos) : { genre: [], mediaType: [], artist: [] },
      mode,
      tookMs: 0,
    };
    if (corrected) result.correctedQuery = this.displayCorrection(corrected, hits);
    result.tookMs = Math.round((performance.now() - started) * 1000) / 1000;
    return result;
  }

  /**
   * The best `candidates` matches in their final order within `settled` (the rows that will
   * be shown): popularity, the last tie-breaker, is looked up only for candidates tied with
   * another one there, instead of for every candidate.
   */
  private ranked(
    q: ParsedQuery,
    active: string[],
    params: Record<string, unknown>,
    sort: SearchSort,
    candidates: number,
    settled: [number, number],
  ): Candidate[] {
    const exactIds = params.exact1 === null && params.exact2 === null ? '[]' : (this.stmts.exactIds.get(params) as string);
    const exact = exactIds !== '[]';
    const words = coverageTokens(q);
    const wide = sort !== 'relevance' || (words !== null && words.size > 1);
    const rows = this.candidateStmt(active, sort, exact, wide).all({ ...params, candidates, ...(exact ? { exactIds } : {}) }) as Candidate[];
    return rankCandidates(rows, sort, words, settled, (ids) => {
      const pops = new Map((this.stmts.popularity.all(JSON.stringify(ids)) as { id: number; pop: number }[]).map((r) => [r.id, r.pop]));
      return (id) => pops.get(id) ?? 0;
    });
  }

  private hydrate(page: { id: number; score: number }[], expr: string): SearchHit[] {
    if (page.length === 0) return [];
    const ids = JSON.stringify(page.map((p) => p.id));
    const rows = new Map((this.stmts.page.all(expr, ids) as PageTuple[]).map((r) => [r[0], r]));
    // Hybrid pages may hold tracks the keyword query does not match: no highlights for those.
    const missing = page.filter((p) => !rows.has(p.id)).map((p) => p.id);
    const unmarked = new Map(
      missing.length === 0 ? [] : (this.stmts.details.all(JSON.stringify(missing)) as Details[]).map((d): [number, Details] => [d.id, d]),
    );
    const mark = (marked: string | undefined, original: string | null) =>
      original === null ? null : marked === undefined ? escapeHtml(original) : markHighlight(marked, MARK_OPEN, MARK_CLOSE);
    const hits: SearchHit[] = [];
    for (const { id, score } of page) {
      const r = rows.get(id);
      const d = r ? detailsOf(r) : unmarked.get(id);
      if (!d) continue;
      hits.push({
        id: d.id,
        name: d.name,
        album: d.album,
        albumId: d.albumId,
        artist: d.artist,
        artistId: d.artistId,
        genre: d.genre,
        genreId: d.genreId,
        mediaTypeId: d.mediaTypeId,
        composer: d.composer,
        unitPrice: d.unitPrice,
        milliseconds: d.milliseconds,
        score: Math.round(score * 1e6) / 1e6,
        highlight: {
          name: mark(r?.[12], d.name) as string,
          album: mark(r?.[13], d.album),
          artist: mark(r?.[14], d.artist),
          composer: mark(r?.[15], d.composer),
        },
      });
    }
    return hits;
  }

  private facets(combos: FacetCombo[]): SearchResult['facets'] {
    const count = (key: 'genreId' | 'mediaTypeId' | 'artistId') => {
      const m = new Map<number, number>();
      for (const c of combos) {
        const v = c[key];
        if (v !== null) m.set(v, (m.get(v) ?? 0) + c.n);
      }
      return [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    };
    const named = (stmt: Stmt, counts: [number, number][]): FacetValue[] => {
      if (counts.length === 0) return [];
      const names = new Map((stmt.all(JSON.stringify(counts.map((c) => c[0]))) as { id: number; name: string }[]).map((r) => [r.id, r.name]));
      return counts.map(([id, n]) => ({ id, name: names.get(id) ?? '', count: n }));
    };
    return {
      genre: named(this.stmts.genreNames, count('genreId')),
      mediaType: named(this.stmts.mediaTypeNames, count('mediaTypeId')),
      artist: named(this.stmts.artistNames, count('artistId').slice(0, 10)),
    };
  }

  /** Replaces each positive word that matches nothing by its nearest vocabulary term. */
  private correct(q: ParsedQuery): { query: ParsedQuery; stems: string[] } | null {
    const stems: string[] = [];
    const fix = (t: Term): Term => {
      if (t.prefix || t.tokens.length !== 1) return t;
      if (this.stmts.anyMatch.get(termFts(t))) return t;
      const better = this.vocabulary.correct(t.tokens[0] as string);
      if (!better) return t;
      stems.push(better);
      return { ...t, tokens: [better] };
    };
    const must = q.must.map((alts) => alts.map(fix));
    return stems.length > 0 ? { query: { must, not: q.not }, stems } : null;
  }

  /** The index holds stems ("beatl"); show the word as it appears in the best hit instead. */
  private displayCorrection(corrected: { query: ParsedQuery; stems: string[] }, hits: SearchHit[]): string {
    const marked = new Set<string>();
    for (const h of hits.slice(0, 5)) {
      for (const text of [h.highlight.name, h.highlight.artist, h.highlight.album, h.highlight.composer]) {
        for (const m of (text ?? '').matchAll(/<mark>(.*?)<\/mark>/g)) for (const w of (m[1] as string).split(/\s+/)) marked.add(w);
      }
    }
    const surface = new Map<string, string>();
    for (const stem of corrected.stems) {
      let best: string | null = null;
      let bestDist = 4;
      for (const w of marked) {
        const plainWord = w.replace(/&[a-z]+;|&#\d+;/g, '');
        const d = editDistance(fold(plainWord), stem, 3);
        if (d < bestDist) {
          best = plainWord;
          bestDist = d;
        }
      }
      if (best) surface.set(stem, best);
    }
    const display: ParsedQuery = {
      must: corrected.query.must.map((alts) =>
        alts.map((t) => (t.tokens.length === 1 && surface.has(t.tokens[0] as string) ? { ...t, tokens: [surface.get(t.tokens[0] as string) as string] } : t)),
      ),
      not: corrected.query.not,
    };
    return renderQuery(display);
  }

  suggest(input: string, limit = 8): { suggestions: Suggestion[] } {
    return { suggestions: this.suggester.suggest(input, limit) };
  }

  /** Suggestions ranked live, bypassing the stored prefix lists (their reference in tests and the bench). */
  suggestLive(input: string, limit = 8): { suggestions: Suggestion[] } {
    return { suggestions: this.suggester.suggestLive(input, limit) };
  }
}

function nullFilters(f: SearchFilters): Record<keyof SearchFilters, number | null> {
  return {
    genreId: f.genreId ?? null,
    mediaTypeId: f.mediaTypeId ?? null,
    artistId: f.artistId ?? null,
    minPrice: f.minPrice ?? null,
    maxPrice: f.maxPrice ?? null,
    minDurationMs: f.minDurationMs ?? null,
    maxDurationMs: f.maxDurationMs ?? null,
  };
}

/**
 * Tokens a name must consist of to count as an exact match: the positive single terms,
 * without prefixes or alternatives ("track:one artist:metallica" → one, metallica).
 */
function coverageTokens(q: ParsedQuery): Set<string> | null {
  if (q.must.some((alts) => alts.length > 1 || alts.some((t) => t.prefix))) return null;
  return new Set(q.must.flatMap((alts) => (alts[0] as Term).tokens.map(fold)));
}

const tokenSet = (text: string | null) => new Set(text ? tokenize(text).map(fold) : []);
const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * Final order of the candidates: the chosen sort key, then exact matches (the query is the
 * track name, the artist name, or exactly both: "metallica one"), then bm25 to 2 decimals
 * (smaller differences are document-length noise), then popularity, then bm25, then id.
 *
 * Popularity only decides between candidates equal on everything before it, and only the
 * order of rows in `settled` (the page) is returned to anyone. So the rows are sorted
 * without it first, and `popularity` is asked only for the ties that overlap the page.
 * Rows outside those ties keep pop 0: their place relative to the page is already fixed.
 */
function rankCandidates(
  rows: Candidate[],
  sort: SearchSort,
  words: Set<string> | null,
  settled: [number, number],
  popularity: (ids: number[]) => (id: number) => number,
): Candidate[] {
  const level = new Map<number, number>();
  for (const r of rows) {
    let l = r.exact ? 1 : 0;
    // One word equal to a whole name is already found by the index look-up (`exact`).
    if (words && words.size > 1 && l === 0) {
      const name = tokenSet(r.name ?? null);
      const artist = tokenSet(r.artist ?? null);
      if (sameSet(words, name) || sameSet(words, artist) || sameSet(words, new Set([...name, ...artist]))) l = 1;
    }
    level.set(r.id, l);
  }
  const byName = (a: Candidate, b: Candidate) => {
    const x = (a.name ?? '').toLowerCase();
    const y = (b.name ?? '').toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const key: Record<SearchSort, (a: Candidate, b: Candidate) => number> = {
    relevance: () => 0,
    price: (a, b) => (a.unitPrice as number) - (b.unitPrice as number),
    '-price': (a, b) => (b.unitPrice as number) - (a.unitPrice as number),
    duration: (a, b) => (a.milliseconds as number) - (b.milliseconds as number),
    '-duration': (a, b) => (b.milliseconds as number) - (a.milliseconds as number),
    name: byName,
  };
  const sortKey = key[sort];
  const beforePop = (a: Candidate, b: Candidate) =>
    sortKey(a, b) || (level.get(b.id) as number) - (level.get(a.id) as number) || Math.round(a.bm * 100) - Math.round(b.bm * 100);
  const full = (a: Candidate, b: Candidate) => beforePop(a, b) || (b.pop ?? 0) - (a.pop ?? 0) || a.bm - b.bm || a.id - b.id;
  rows.sort(full);
  // Tie groups (runs equal before popularity) that overlap the settled range.
  const tied: number[] = [];
  const [from, to] = settled;
  for (let start = 0; start < rows.length && start < to; ) {
    let end = start + 1;
    while (end < rows.length && beforePop(rows[start] as Candidate, rows[end] as Candidate) === 0) end++;
    if (end - start > 1 && end > from) for (let i = start; i < end; i++) tied.push((rows[i] as Candidate).id);
    start = end;
  }
  if (tied.length === 0) return rows;
  const pop = popularity(tied);
  for (const r of rows) r.pop = pop(r.id);
  return rows.sort(full);
}
