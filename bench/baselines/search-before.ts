// The search service as it was before the speed work (commit 0351320), kept only as the
// same-run baseline of bench/sections/30-search.ts. Not used by the application.
// Search and suggestions over the FTS5 indexes: parse → match → rank → facet → page →
// highlight, with a typo-correcting second pass when a term matches nothing.
import type { Db, Stmt } from '../../src/db/index.ts';
import { ApiError } from '../../src/errors.ts';
import { escapeHtml, markHighlight } from './highlight-before.ts';
import { type ParsedQuery, parseQuery, plainText, renderQuery, type Term, termFts, toFts, tokenize } from './query-before.ts';
import { editDistance, fold, Vocabulary } from './typo-before.ts';

// The schema names as they were (src/search/schema.ts at 0351320): the tables are the live
// database's, the baseline's code is not.
const FTS = 'music_search_fts';
const SUGGEST = 'music_suggest_fts';
const SUGGEST_KIND = { track: 1, album: 2, artist: 3 } as const;

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

export interface Suggestion {
  text: string;
  type: 'track' | 'album' | 'artist';
  id: number;
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
  unitPrice: number;
  milliseconds: number;
  name: string;
  artist: string | null;
  pop: number;
}

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

export class SearchServiceBefore {
  private readonly cached = new Map<string, Stmt>();
  private readonly vocabulary: Vocabulary;
  private vectorRetriever: VectorRetriever | null = null;
  private readonly stmts: Record<'details' | 'highlights' | 'anyMatch' | 'suggest' | 'vectorFilter' | 'genreNames' | 'mediaTypeNames' | 'artistNames', Stmt>;

  constructor(private readonly db: Db) {
    this.vocabulary = new Vocabulary(db);
    this.stmts = {
      details: db.prepare(`
        SELECT t.id, t.name, al.title AS album, t.album_id AS albumId, ar.name AS artist, al.artist_id AS artistId,
               g.name AS genre, t.genre_id AS genreId, t.media_type_id AS mediaTypeId, t.composer,
               t.unit_price AS unitPrice, t.milliseconds
        FROM chinook_tracks t
        LEFT JOIN chinook_albums al ON al.id = t.album_id
        LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
        LEFT JOIN chinook_genres g ON g.id = t.genre_id
        WHERE t.id IN (SELECT value FROM json_each(?))`),
      highlights: db.prepare(`
        SELECT rowid AS id,
               highlight(${FTS}, 0, '${MARK_OPEN}', '${MARK_CLOSE}') AS name,
               highlight(${FTS}, 1, '${MARK_OPEN}', '${MARK_CLOSE}') AS album,
               highlight(${FTS}, 2, '${MARK_OPEN}', '${MARK_CLOSE}') AS artist,
               highlight(${FTS}, 4, '${MARK_OPEN}', '${MARK_CLOSE}') AS composer
        FROM ${FTS} WHERE ${FTS} MATCH ? AND +rowid IN (SELECT value FROM json_each(?))`),
      genreNames: db.prepare('SELECT id, name FROM chinook_genres WHERE id IN (SELECT value FROM json_each(?))'),
      mediaTypeNames: db.prepare('SELECT id, name FROM chinook_media_types WHERE id IN (SELECT value FROM json_each(?))'),
      artistNames: db.prepare('SELECT id, name FROM chinook_artists WHERE id IN (SELECT value FROM json_each(?))'),
      anyMatch: db.prepare(`SELECT 1 FROM ${FTS} WHERE ${FTS} MATCH ? LIMIT 1`),
      suggest: db.prepare(`
        SELECT s.rowid % 4 AS kind, s.rowid / 4 AS id, s.text,
               CASE s.rowid % 4
                 WHEN ${SUGGEST_KIND.track} THEN ${POPULARITY('s.rowid / 4')}
                 WHEN ${SUGGEST_KIND.album} THEN (SELECT COALESCE(sum(il.quantity), 0) FROM chinook_tracks t JOIN chinook_invoice_lines il ON il.track_id = t.id WHERE t.album_id = s.rowid / 4)
                 ELSE (SELECT COALESCE(sum(il.quantity), 0) FROM chinook_albums al JOIN chinook_tracks t ON t.album_id = al.id JOIN chinook_invoice_lines il ON il.track_id = t.id WHERE al.artist_id = s.rowid / 4)
               END AS pop
        FROM ${SUGGEST} s WHERE ${SUGGEST} MATCH ?
        ORDER BY pop DESC, length(s.text), s.rowid
        LIMIT ?`),
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
   * keeps the best offset+limit+margin candidates; only those get the popularity lookup and
   * the final order (see rankCandidates).
   */
  private candidateStmt(filters: string[], sort: SearchSort): Stmt {
    return this.stmt(`page|${sort}|${filters.join(',')}`, () => {
      const keys = sortKeys[sort];
      const lean = sort === 'relevance' && filters.length === 0;
      return `
        WITH ex(id) AS (
          -- One arm per value so each is an index seek (OR would scan); CROSS JOIN fixes the order.
          SELECT id FROM chinook_tracks WHERE name = @exact1 COLLATE NOCASE
          UNION SELECT id FROM chinook_tracks WHERE name = @exact2 COLLATE NOCASE
          UNION SELECT t.id FROM chinook_artists ar CROSS JOIN chinook_albums al CROSS JOIN chinook_tracks t
                WHERE ar.name = @exact1 COLLATE NOCASE AND al.artist_id = ar.id AND t.album_id = al.id
          UNION SELECT t.id FROM chinook_artists ar CROSS JOIN chinook_albums al CROSS JOIN chinook_tracks t
                WHERE ar.name = @exact2 COLLATE NOCASE AND al.artist_id = ar.id AND t.album_id = al.id
        ),
        c AS (${
          lean
            ? // Relevance without filters needs nothing but the index: join the catalog for the
              // few candidates only, not for every match (~2× faster on a 100-match query).
              `SELECT f.rowid AS id, f.rank AS bm, f.rowid IN (SELECT id FROM ex) AS exact
               FROM ${FTS} f WHERE ${FTS} MATCH @expr
               ORDER BY exact DESC, bm LIMIT @candidates`
            : `SELECT f.rowid AS id, f.rank AS bm, f.rowid IN (SELECT id FROM ex) AS exact
               FROM ${FTS} f
               JOIN chinook_tracks t ON t.id = f.rowid
               LEFT JOIN chinook_albums al ON al.id = t.album_id
               WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
               ORDER BY ${[...keys, 'exact DESC', 'bm'].join(', ')}
               LIMIT @candidates`
        })
        SELECT c.id, c.bm, c.exact, t.unit_price AS unitPrice, t.milliseconds, t.name,
               (SELECT ar.name FROM chinook_albums al JOIN chinook_artists ar ON ar.id = al.artist_id WHERE al.id = t.album_id) AS artist,
               ${POPULARITY('c.id')} AS pop
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
    const countAndFacets = () => {
      if (!wantFacets) return { total: (this.countStmt(active).get(params) as { n: number }).n, combos: [] as FacetCombo[] };
      const combos = this.facetStmt(active).all(params) as FacetCombo[];
      return { total: combos.reduce((n, c) => n + c.n, 0), combos };
    };
    let { total, combos } = countAndFacets();
    let corrected: { query: ParsedQuery; stems: string[] } | null = null;
    if (total === 0) {
      corrected = this.correct(parsed);
      if (corrected) {
        const before = { parsed, params, active };
        parsed = corrected.query;
        ({ params, active } = this.params(parsed, '', req));
        ({ total, combos } = countAndFacets());
        if (total === 0) {
          ({ parsed, params, active } = before);
          corrected = null;
        }
      }
    }
    let page: { id: number; score: number }[];
    if (mode === 'hybrid' && this.vectorRetriever) {
      const keyword = this.ranked(parsed, active, params, 'relevance', HYBRID_CANDIDATES);
      const nearest = this.vectorRetriever.nearestTracks(req.q, HYBRID_CANDIDATES);
      const allowed = new Set((this.stmts.vectorFilter.all({ ids: JSON.stringify(nearest), ...nullFilters(req) }) as { id: number }[]).map((r) => r.id));
      const fused = reciprocalRankFusion([keyword.map((r) => r.id), nearest.filter((id) => allowed.has(id))]);
      total = fused.length;
      page = fused.slice(offset, offset + limit);
    } else {
      const rows = total === 0 ? [] : this.ranked(parsed, active, params, sort, offset + limit + TIE_BREAK_MARGIN);
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

  private ranked(q: ParsedQuery, active: string[], params: Record<string, unknown>, sort: SearchSort, candidates: number): Candidate[] {
    const rows = this.candidateStmt(active, sort).all({ ...params, candidates }) as Candidate[];
    return rankCandidates(rows, sort, coverageTokens(q));
  }

  private hydrate(page: { id: number; score: number }[], expr: string): SearchHit[] {
    if (page.length === 0) return [];
    const details = new Map((this.stmts.details.all(JSON.stringify(page.map((p) => p.id))) as Omit<SearchHit, 'score' | 'highlight'>[]).map((d) => [d.id, d]));
    // `+rowid` keeps the id list away from FTS5: pushed down, it would re-run MATCH once per id.
    const marks = new Map(
      (
        this.stmts.highlights.all(expr, JSON.stringify(page.map((p) => p.id))) as {
          id: number;
          name: string;
          album: string;
          artist: string;
          composer: string;
        }[]
      ).map((h) => [h.id, h]),
    );
    const hits: SearchHit[] = [];
    for (const { id, score } of page) {
      const d = details.get(id);
      if (!d) continue;
      const h = marks.get(id);
      const mark = (marked: string | undefined, original: string | null) =>
        original === null ? null : marked === undefined ? escapeHtml(original) : markHighlight(marked, MARK_OPEN, MARK_CLOSE);
      hits.push({
        ...d,
        score: Math.round(score * 1e6) / 1e6,
        highlight: {
          name: mark(h?.name, d.name) as string,
          album: mark(h?.album, d.album),
          artist: mark(h?.artist, d.artist),
          composer: mark(h?.composer, d.composer),
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
    const tokens = tokenize(input).slice(0, 8);
    if (tokens.length === 0) return { suggestions: [] };
    const last = tokens.length - 1;
    const expr = tokens.map((t, i) => (i === last ? `"${t}" *` : `"${t}"`)).join(' ');
    const rows = this.stmts.suggest.all(expr, limit) as { kind: number; id: number; text: string }[];
    const kinds = { [SUGGEST_KIND.track]: 'track', [SUGGEST_KIND.album]: 'album', [SUGGEST_KIND.artist]: 'artist' } as const;
    return { suggestions: rows.map((r) => ({ text: r.text, type: kinds[r.kind as 1 | 2 | 3], id: r.id })) };
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
 * (smaller differences are document-length noise), then popularity.
 */
function rankCandidates(rows: Candidate[], sort: SearchSort, words: Set<string> | null): Candidate[] {
  const level = new Map<number, number>();
  for (const r of rows) {
    let l = r.exact ? 1 : 0;
    // One word equal to a whole name is already found by the index look-up (`exact`).
    if (words && words.size > 1 && l === 0) {
      const name = tokenSet(r.name);
      const artist = tokenSet(r.artist);
      if (sameSet(words, name) || sameSet(words, artist) || sameSet(words, new Set([...name, ...artist]))) l = 1;
    }
    level.set(r.id, l);
  }
  const relevance = (a: Candidate, b: Candidate) =>
    (level.get(b.id) as number) - (level.get(a.id) as number) || Math.round(a.bm * 100) - Math.round(b.bm * 100) || b.pop - a.pop || a.bm - b.bm || a.id - b.id;
  const byName = (a: Candidate, b: Candidate) => {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const cmp: Record<SearchSort, (a: Candidate, b: Candidate) => number> = {
    relevance,
    price: (a, b) => a.unitPrice - b.unitPrice || relevance(a, b),
    '-price': (a, b) => b.unitPrice - a.unitPrice || relevance(a, b),
    duration: (a, b) => a.milliseconds - b.milliseconds || relevance(a, b),
    '-duration': (a, b) => b.milliseconds - a.milliseconds || relevance(a, b),
    name: (a, b) => byName(a, b) || relevance(a, b),
  };
  return rows.sort(cmp[sort]);
}
