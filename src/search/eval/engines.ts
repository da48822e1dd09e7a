// The engines `chinook eval search` compares in one run: the search service as the API
// answers by default (keyword) and in hybrid mode, and MiniSearch, a well-kept in-memory
// engine, configured as a careful integrator would: the same five fields, prefix search,
// fuzzy 0.2, the same column preferences as our bm25 weights, and the same case and accent
// folding (its default keeps accents, which would cost it every accent-stripped query).
import MiniSearch from 'minisearch';
import type { Db } from '../../db/index.ts';
import { COLUMN_WEIGHTS } from '../schema.ts';
import type { SearchService } from '../service.ts';
import { fold } from '../text.ts';
import { EvalCatalog, type EvalQuery, generateQueries } from './generate.ts';
import { type Engine, type EngineReport, evaluateEngine } from './score.ts';

export function serviceEngine(name: string, service: SearchService, mode: 'keyword' | 'hybrid'): Engine {
  return {
    name,
    search: (q) => {
      try {
        return service.search({ q, limit: 10, facets: false, mode }).hits.map((h) => h.id);
      } catch {
        // A query the parser refuses (more than 32 words) answers nothing.
        return [];
      }
    },
  };
}

/** A track's five searchable fields, as the index holds them: what a peer engine indexes. */
export interface SearchDoc {
  id: number;
  name: string;
  album: string;
  artist: string;
  genre: string;
  composer: string;
}

export function searchDocs(db: Db): SearchDoc[] {
  return db
    .prepare(`
      SELECT t.id, t.name, COALESCE(al.title, '') AS album, COALESCE(ar.name, '') AS artist, COALESCE(g.name, '') AS genre, COALESCE(t.composer, '') AS composer
      FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id
      LEFT JOIN chinook_artists ar ON ar.id = al.artist_id LEFT JOIN chinook_genres g ON g.id = t.genre_id`)
    .all() as SearchDoc[];
}

export function miniSearchEngine(db: Db): Engine {
  const docs = searchDocs(db);
  // Relative to album (weight 4 in our bm25): name 2.5, artist 2, composer 0.5, genre 0.375.
  const boost = Object.fromEntries(Object.entries(COLUMN_WEIGHTS).map(([c, w]) => [c, w / COLUMN_WEIGHTS.album]));
  const mini = new MiniSearch<SearchDoc>({
    fields: ['name', 'album', 'artist', 'genre', 'composer'],
    processTerm: (term) => fold(term),
    searchOptions: { prefix: true, fuzzy: 0.2, boost },
  });
  mini.addAll(docs);
  return {
    name: 'MiniSearch',
    search: (q) =>
      mini
        .search(q)
        .slice(0, 10)
        .map((r) => r.id as number),
  };
}

export interface SearchEvaluation {
  seed: number;
  perKind: number;
  queries: EvalQuery[];
  reports: EngineReport[];
  ms: number;
}

export interface SearchEvaluationOptions {
  perKind?: number;
  seed?: number;
  /** English words for the `extra` kind (see generate.ts). */
  wordPool: readonly string[];
  /** Engines to score besides the default mode and MiniSearch (hybrid, baselines). */
  engines?: Engine[];
  log?: (line: string) => void;
  onProgress?: (done: number, total: number, label: string) => void;
}

import { DEFAULT_EVAL_SEED, DEFAULT_PER_KIND } from './defaults.ts';

export { DEFAULT_EVAL_SEED, DEFAULT_PER_KIND };

export function runSearchEvaluation(db: Db, service: SearchService, options: SearchEvaluationOptions): SearchEvaluation {
  const started = performance.now();
  const seed = options.seed ?? DEFAULT_EVAL_SEED;
  const perKind = options.perKind ?? DEFAULT_PER_KIND;
  const log = options.log ?? (() => {});
  const queries = generateQueries(new EvalCatalog(db), { perKind, seed, wordPool: options.wordPool });
  log(`${queries.length} queries generated (seed ${seed}, ${perKind} per kind)`);
  const engines = [serviceEngine('default (keyword)', service, 'keyword'), ...(options.engines ?? []), miniSearchEngine(db)];
  const reports = engines.map((e) => {
    const r = evaluateEngine(e, queries, (done, total) => options.onProgress?.(done, total, e.name));
    log(`${e.name}: MRR@10 ${r.overall.mrr.toFixed(3)}, zero results ${(r.overall.zeroRate * 100).toFixed(2)} %`);
    return r;
  });
  return { seed, perKind, queries, reports, ms: performance.now() - started };
}
