// The search service's SQL. Statements that vary with the filters and the sort are built once
// per shape and kept in the connection's statement cache.
import { type Db, type Stmt, statementFor } from '../db/index.ts';
import { TRACK_POPULARITY } from './popularity.ts';
import { FTS } from './schema.ts';
import type { SearchFilters, SearchSort } from './types.ts';

export const FILTER_SQL: [keyof SearchFilters, string][] = [
  ['genreId', 't.genre_id = @genreId'],
  ['mediaTypeId', 't.media_type_id = @mediaTypeId'],
  ['artistId', 'al.artist_id = @artistId'],
  ['minPrice', 't.unit_price >= @minPrice'],
  ['maxPrice', 't.unit_price <= @maxPrice'],
  ['minDurationMs', 't.milliseconds >= @minDurationMs'],
  ['maxDurationMs', 't.milliseconds <= @maxDurationMs'],
];

/** Sort keys ahead of relevance. */
const SORT_SQL: Record<SearchSort, string[]> = {
  relevance: [],
  price: ['t.unit_price'],
  '-price': ['t.unit_price DESC'],
  duration: ['t.milliseconds'],
  '-duration': ['t.milliseconds DESC'],
  name: ['t.name COLLATE NOCASE'],
};

/** A candidate as a pass returns it; bm25 only from a ranked pass, the sort columns only when a sort needs them. */
export interface CandidateRow {
  id: number;
  bm?: number;
  unitPrice?: number;
  milliseconds?: number;
  name?: string;
}

export interface FacetCombo {
  genreId: number | null;
  mediaTypeId: number;
  artistId: number | null;
  n: number;
}

const DETAILS = `t.id, t.name, al.title AS album, t.album_id AS albumId, ar.name AS artist, al.artist_id AS artistId,
  g.name AS genre, t.genre_id AS genreId, t.media_type_id AS mediaTypeId, t.composer,
  t.unit_price AS unitPrice, t.milliseconds`;
const DETAIL_JOINS = `LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id`;

export class SearchStatements {
  /** Everything a hit shows, by id list (JSON), as raw rows in DETAILS order. */
  readonly details: Stmt;
  readonly popularity: Stmt;
  readonly anyMatch: Stmt;
  readonly genreNames: Stmt;
  readonly mediaTypeNames: Stmt;
  readonly artistNames: Stmt;
  /** Which of a list of ids pass the filters (the vector side of hybrid search). */
  readonly filterIds: Stmt;

  constructor(private readonly db: Db) {
    this.details = db.prepare(`SELECT ${DETAILS} FROM chinook_tracks t ${DETAIL_JOINS} WHERE t.id IN (SELECT value FROM json_each(?))`).raw(true);
    this.popularity = db.prepare(`SELECT p.track_id AS id, p.score AS pop FROM ${TRACK_POPULARITY} p WHERE p.track_id IN (SELECT value FROM json_each(?))`);
    this.anyMatch = db.prepare(`SELECT 1 FROM ${FTS} WHERE ${FTS} MATCH ? LIMIT 1`);
    this.genreNames = db.prepare('SELECT id, name FROM chinook_genres WHERE id IN (SELECT value FROM json_each(?))');
    this.mediaTypeNames = db.prepare('SELECT id, name FROM chinook_media_types WHERE id IN (SELECT value FROM json_each(?))');
    this.artistNames = db.prepare('SELECT id, name FROM chinook_artists WHERE id IN (SELECT value FROM json_each(?))');
    this.filterIds = db.prepare(`
      SELECT t.id FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id
      WHERE t.id IN (SELECT value FROM json_each(@ids))
        AND (@genreId IS NULL OR t.genre_id = @genreId) AND (@mediaTypeId IS NULL OR t.media_type_id = @mediaTypeId)
        AND (@artistId IS NULL OR al.artist_id = @artistId)
        AND (@minPrice IS NULL OR t.unit_price >= @minPrice) AND (@maxPrice IS NULL OR t.unit_price <= @maxPrice)
        AND (@minDurationMs IS NULL OR t.milliseconds >= @minDurationMs) AND (@maxDurationMs IS NULL OR t.milliseconds <= @maxDurationMs)`);
  }

  /** One statement per shape, in the connection's one statement cache (db/connection.ts). */
  private shape(key: string, sql: () => string): Stmt {
    return statementFor(this.db, `search:${key}`, sql);
  }

  /**
   * The best @k matches of @expr by the sort key, then bm25 (FTS5's rank; column weights are
   * in the table's config). `+bm`: a plain rank order is handed to FTS5, whose own sorter
   * copies every match's position lists and measured 20–40 % slower on 1M tracks.
   */
  candidates(filters: string[], sort: SearchSort): Stmt {
    return this.shape(`candidates|${sort}|${filters.join(',')}`, () => {
      if (sort === 'relevance' && filters.length === 0) {
        // Relevance without filters needs nothing but the index: no catalog join per match.
        return `SELECT f.rowid AS id, f.rank AS bm FROM ${FTS} f WHERE ${FTS} MATCH @expr ORDER BY +bm LIMIT @k`;
      }
      const wide = sort === 'relevance' ? '' : ', t.unit_price AS unitPrice, t.milliseconds, t.name';
      return `
        SELECT f.rowid AS id, f.rank AS bm${wide}
        FROM ${FTS} f
        JOIN chinook_tracks t ON t.id = f.rowid
        LEFT JOIN chinook_albums al ON al.id = t.album_id
        WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
        ORDER BY ${[...SORT_SQL[sort], '+bm'].join(', ')}
        LIMIT @k`;
    });
  }

  /**
   * Up to @cap matches of @expr in index order, without bm25: walking matches is cheap, ranking
   * them is not (bm25 reads every match's position lists: "the", 1 000+ matches, ~1.3 ms ranked
   * vs ~50 µs for 90 ids on the loaded test machine).
   */
  matches(filters: string[], sort: SearchSort): Stmt {
    return this.shape(`matches|${sort}|${filters.join(',')}`, () => this.matchesSql(filters, sort));
  }

  private matchesSql(filters: string[], sort: SearchSort): string {
    if (sort === 'relevance' && filters.length === 0) return `SELECT rowid AS id FROM ${FTS} WHERE ${FTS} MATCH @expr LIMIT @cap`;
    const wide = sort === 'relevance' ? '' : ', t.unit_price AS unitPrice, t.milliseconds, t.name';
    return `
      SELECT f.rowid AS id${wide}
      FROM ${FTS} f
      JOIN chinook_tracks t ON t.id = f.rowid
      LEFT JOIN chinook_albums al ON al.id = t.album_id
      WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
      LIMIT @cap`;
  }

  /**
   * How many matches, up to @cap: whether there are more than can be ranked in JS, without
   * handing each id to JS (201 ids ~97 µs, this ~25 µs) and without counting a million rows.
   */
  countUpTo(filters: string[]): Stmt {
    return this.shape(`countUpTo|${filters.join(',')}`, () => `SELECT count(*) AS n FROM (${this.matchesSql(filters, 'relevance')})`);
  }

  count(filters: string[]): Stmt {
    return this.shape(`count|${filters.join(',')}`, () =>
      filters.length === 0
        ? `SELECT count(*) AS n FROM ${FTS} WHERE ${FTS} MATCH @expr`
        : `SELECT count(*) AS n FROM ${FTS} f JOIN chinook_tracks t ON t.id = f.rowid LEFT JOIN chinook_albums al ON al.id = t.album_id
           WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}`,
    );
  }

  /** Match counts per (genre, media type, artist): the total and all three facets from one pass. */
  facets(filters: string[]): Stmt {
    return this.shape(
      `facets|${filters.join(',')}`,
      () => `
        SELECT t.genre_id AS genreId, t.media_type_id AS mediaTypeId, al.artist_id AS artistId, count(*) AS n
        FROM ${FTS} f JOIN chinook_tracks t ON t.id = f.rowid LEFT JOIN chinook_albums al ON al.id = t.album_id
        WHERE ${FTS} MATCH @expr ${filters.map((f) => `AND ${f}`).join(' ')}
        GROUP BY 1, 2, 3`,
    );
  }
}

/** The active filters' SQL and their parameters. */
export function filterParams(filters: SearchFilters): { active: string[]; params: Record<string, number> } {
  const active: string[] = [];
  const params: Record<string, number> = {};
  for (const [key, sql] of FILTER_SQL) {
    const v = filters[key];
    if (v === undefined) continue;
    params[key] = v;
    active.push(sql);
  }
  return { active, params };
}

export function nullFilters(f: SearchFilters): Record<keyof SearchFilters, number | null> {
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
