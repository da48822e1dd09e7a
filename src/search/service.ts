// Search and suggestions over the FTS5 indexes: parse → plan (what each word may also mean)
// → candidates (retrieve.ts) → where each clause matched (match.ts) → rank in buckets
// (rank.ts) → page, highlights, facets, "showing results for" (hits.ts, correction.ts).
import type { Db } from '../db/index.ts';
import { ApiError } from '../errors.ts';
import { correctionOf } from './correction.ts';
import { decodeCursor, nextCursor } from './cursor.ts';
import { DocCache } from './doc-cache.ts';
import { facetsOf, hydrate, NO_FACETS, type PageRow } from './hits.ts';
import { reciprocalRankFusion } from './hybrid.ts';
import { Matcher } from './match.ts';
import { buildPlan } from './plan.ts';
import { parseQuery, QueryError } from './query.ts';
import { bestByRelevance, RankedRow, rankRows } from './rank.ts';
import { retrieve } from './retrieve.ts';
import { VOCAB } from './schema.ts';
import { filterParams, nullFilters, SearchStatements } from './statements.ts';
import { namesExpr, Suggester, type SuggesterOptions, type Suggestion } from './suggest.ts';
import type { SearchRequest, SearchResult, SearchSort, VectorRetriever } from './types.ts';
import { Vocabulary } from './vocabulary.ts';

export { reciprocalRankFusion } from './hybrid.ts';
export { COLUMN_WEIGHTS } from './schema.ts';
export type { SearchRequest, SearchResult, VectorRetriever } from './types.ts';

/**
 * Candidates bm25 picks beyond the page when the matches are too many to rank all (retrieve.ts):
 * room for the buckets to reorder what bm25 put first. The generated evaluation (13 000
 * queries) scores the same with 40 as with 80, and each candidate costs ~2 µs of ranking.
 */
export const CANDIDATE_MARGIN = 40;
/** Keyword rows fused with the vector side in hybrid mode. */
export const HYBRID_CANDIDATES = 100;

export class SearchService {
  private readonly stmts: SearchStatements;
  private readonly vocabulary: Vocabulary;
  private readonly docs: DocCache;
  private readonly suggester: Suggester;
  private vectorRetriever: VectorRetriever | null = null;

  constructor(db: Db, options: { suggest?: SuggesterOptions } = {}) {
    this.stmts = new SearchStatements(db);
    this.vocabulary = new Vocabulary(db, VOCAB);
    this.docs = new DocCache(this.stmts.details);
    this.suggester = new Suggester(db, options.suggest);
  }

  setVectorRetriever(retriever: VectorRetriever | null): void {
    this.vectorRetriever = retriever;
  }

  /** After a rebuild: the vocabulary snapshot behind typo derivations is read again. */
  invalidateVocabulary(): void {
    this.vocabulary.invalidate();
  }

  search(req: SearchRequest): SearchResult {
    const started = performance.now();
    const mode = req.mode ?? 'keyword';
    if (mode === 'hybrid' && !this.vectorRetriever) {
      throw new ApiError(400, 'hybrid_unavailable', 'mode=hybrid needs the vector index, which is not available in this build; use mode=keyword');
    }
    if (req.minPrice !== undefined && req.maxPrice !== undefined && req.minPrice > req.maxPrice)
      throw new ApiError(400, 'bad_request', 'minPrice is above maxPrice');
    if (req.minDurationMs !== undefined && req.maxDurationMs !== undefined && req.minDurationMs > req.maxDurationMs) {
      throw new ApiError(400, 'bad_request', 'minDurationMs is above maxDurationMs');
    }
    if (req.cursor !== undefined && req.offset !== undefined && req.offset !== 0) {
      throw new ApiError(400, 'bad_request', 'pass either offset or cursor, not both');
    }
    const limit = req.limit ?? 20;
    const offset = req.cursor === undefined ? (req.offset ?? 0) : decodeCursor(req, req.cursor);
    const sort: SearchSort = req.sort ?? 'relevance';
    const wantFacets = req.facets ?? true;
    const hybrid = mode === 'hybrid' ? this.vectorRetriever : null;

    const parsed = parseQuery(req.q);
    const vocab = this.vocabulary.current();
    const plan = buildPlan(parsed, vocab);
    const matcher = new Matcher(plan, vocab);
    const { active, params } = filterParams(req);
    // Hybrid fuses a whole keyword ranking, so every keyword candidate needs its final place.
    const need = hybrid ? HYBRID_CANDIDATES : offset + limit;
    const order: SearchSort = hybrid ? 'relevance' : sort;
    const precise = parsed.not.length > 0 || parsed.must.some((alts) => alts.length > 1 || alts.some((t) => t.quoted || t.prefix || t.field));
    const found = retrieve(this.stmts, { plan, filters: active, params, sort: order, precise, need, k: need + CANDIDATE_MARGIN, facets: wantFacets });

    const docs = this.docs.get(
      found.rows.map((r) => r.id),
      this.vocabulary.generation,
    );
    const rows: RankedRow[] = [];
    for (const r of found.rows) {
      const doc = docs.get(r.id);
      if (doc) rows.push(new RankedRow(r.id, doc, matcher.features(doc), r));
    }
    const settled: [number, number] = hybrid ? [0, HYBRID_CANDIDATES] : [offset, offset + limit];
    rankRows(rows, order, settled, (ids) => {
      const pop = this.stmts.popularity.all(JSON.stringify(ids)) as { id: number; pop: number }[];
      return new Map(pop.map((p) => [p.id, p.pop]));
    });

    let total = found.total;
    let page: PageRow[];
    if (hybrid) {
      const nearest = hybrid.nearestTracks(req.q, HYBRID_CANDIDATES);
      const allowed = new Set((this.stmts.filterIds.all({ ids: JSON.stringify(nearest), ...nullFilters(req) }) as { id: number }[]).map((r) => r.id));
      const fused = reciprocalRankFusion([rows.slice(0, HYBRID_CANDIDATES).map((r) => r.id), nearest.filter((id) => allowed.has(id))]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      total = fused.length;
      page = fused
        .slice(offset, offset + limit)
        .map((f) => ({ id: f.id, score: f.score, doc: byId.get(f.id)?.doc, occurrences: byId.get(f.id)?.features.occurrences }));
    } else {
      page = rows.slice(offset, offset + limit).map((r) => ({ id: r.id, score: -(r.bm ?? 0), occurrences: r.features.occurrences }));
    }
    // Page rows are cached already, but for hybrid rows that only the vector side found.
    const pageDocs = hybrid
      ? this.docs.get(
          page.map((p) => p.id),
          this.vocabulary.generation,
        )
      : docs;
    const hits = hydrate(page, pageDocs, matcher);
    const relevanceFirst = order === 'relevance' ? rows[0] : bestByRelevance(rows);
    const result: SearchResult = {
      hits,
      total,
      facets: wantFacets && found.expr ? facetsOf(found.combos, this.facetNames()) : NO_FACETS,
      ...correctionOf(plan, relevanceFirst),
      nextCursor: nextCursor(req, offset, limit, total),
      mode,
      tookMs: 0,
    };
    result.tookMs = Math.round((performance.now() - started) * 1000) / 1000;
    return result;
  }

  private facetNames() {
    return { genre: this.stmts.genreNames, mediaType: this.stmts.mediaTypeNames, artist: this.stmts.artistNames };
  }

  /**
   * As-you-type suggestions: names that start with what was typed, most popular first
   * (suggest.ts). When those are fewer than `limit`, the list is filled forgivingly: names
   * matching the search plan's forms of every word (typos, splits, completions: "metalica" →
   * the artist Metallica), then the search's best tracks, which match across name, artist and
   * album ("metalica enter sandmn" → Enter Sandman by Metallica). Each track and album carries
   * its artist.
   */
  suggest(input: string, limit = 8): { suggestions: Suggestion[] } {
    return this.completed(this.suggester.suggest(input, limit), input, limit);
  }

  /** The same, with the names ranked live, bypassing the stored prefix lists (their reference in tests and the bench). */
  suggestLive(input: string, limit = 8): { suggestions: Suggestion[] } {
    return this.completed(this.suggester.suggestLive(input, limit), input, limit);
  }

  private completed(list: Suggestion[], input: string, limit: number): { suggestions: Suggestion[] } {
    if (list.length < limit) this.fillForgiving(input, limit, list);
    return { suggestions: list };
  }

  private fillForgiving(input: string, limit: number, list: Suggestion[]): void {
    // A name shown once: by id, and a track by its title and artist too (Chinook holds
    // Stairway To Heaven by Led Zeppelin on three albums; three equal rows said nothing more).
    const keys = (s: Suggestion) => [`${s.type}:${s.id}`, ...(s.type === 'track' ? [`track:${s.text.toLowerCase()}|${s.artist ?? ''}`] : [])];
    const seen = new Set(list.flatMap(keys));
    const add = (s: Suggestion) => {
      if (list.length >= limit || keys(s).some((k) => seen.has(k))) return;
      for (const k of keys(s)) seen.add(k);
      list.push(s);
    };
    try {
      const parsed = parseQuery(input);
      const expr = namesExpr(buildPlan(parsed, this.vocabulary.current()), parsed.must.at(-1)?.some((t) => t.open) ?? false);
      if (expr !== null) for (const s of this.suggester.matching(expr, limit)) add(s);
      if (list.length < limit) {
        for (const h of this.search({ q: input, limit, facets: false }).hits)
          add({ text: h.name, type: 'track', id: h.id, ...(h.artist ? { artist: h.artist } : {}) });
      }
    } catch (err) {
      // Input the search syntax refuses (only operators, say) suggests nothing more.
      if (!(err instanceof QueryError)) throw err;
    }
  }
}
