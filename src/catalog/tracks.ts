// Tracks: lookup by id or slug, and filtered, sorted, keyset-paginated lists.
import { type Db, statement } from '../db/index.ts';
import { badRequest, notFound } from '../errors.ts';
import { afterCursor, decodeCursor, orderBy, type Page, type SortSpec, toPage } from './keyset.ts';

export interface Track {
  id: number;
  publicId: string;
  slug: string;
  name: string;
  albumId: number | null;
  album: string | null;
  artistId: number | null;
  artist: string | null;
  genreId: number | null;
  genre: string | null;
  mediaTypeId: number;
  mediaType: string;
  composer: string | null;
  milliseconds: number;
  bytes: number | null;
  unitPrice: number;
  createdAt: string;
  updatedAt: string;
}

export interface TrackFilters {
  genreId?: number | undefined;
  artistId?: number | undefined;
  albumId?: number | undefined;
  mediaTypeId?: number | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
}

export const trackSorts = {
  name: { expr: 't.name COLLATE NOCASE', direction: 'ASC', valueType: 'string' },
  '-name': { expr: 't.name COLLATE NOCASE', direction: 'DESC', valueType: 'string' },
  price: { expr: 't.unit_price', direction: 'ASC', valueType: 'number' },
  '-price': { expr: 't.unit_price', direction: 'DESC', valueType: 'number' },
  duration: { expr: 't.milliseconds', direction: 'ASC', valueType: 'number' },
  '-duration': { expr: 't.milliseconds', direction: 'DESC', valueType: 'number' },
  newest: { expr: 't.created_at', direction: 'DESC', valueType: 'string' },
  id: { expr: 't.id', direction: 'ASC', valueType: 'number' },
} as const satisfies Record<string, SortSpec>;

export type TrackSort = keyof typeof trackSorts;

export interface TrackListQuery extends TrackFilters {
  sort?: TrackSort | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The joined track row every endpoint returns (artist/album/genre/media type by name). */
export const TRACK_SELECT = `
  SELECT t.id, t.public_id AS publicId, t.slug, t.name,
         t.album_id AS albumId, al.title AS album, al.artist_id AS artistId, ar.name AS artist,
         t.genre_id AS genreId, g.name AS genre, t.media_type_id AS mediaTypeId, mt.name AS mediaType,
         t.composer, t.milliseconds, t.bytes, t.unit_price AS unitPrice,
         t.created_at AS createdAt, t.updated_at AS updatedAt
  FROM chinook_tracks t
  LEFT JOIN chinook_albums al ON al.id = t.album_id
  LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
  LEFT JOIN chinook_genres g ON g.id = t.genre_id
  JOIN chinook_media_types mt ON mt.id = t.media_type_id`;

const filterColumns: [keyof TrackFilters, string][] = [
  ['genreId', 't.genre_id = ?'],
  ['artistId', 'al.artist_id = ?'],
  ['albumId', 't.album_id = ?'],
  ['mediaTypeId', 't.media_type_id = ?'],
  ['minPrice', 't.unit_price >= ?'],
  ['maxPrice', 't.unit_price <= ?'],
  ['minDurationMs', 't.milliseconds >= ?'],
  ['maxDurationMs', 't.milliseconds <= ?'],
];

const sortValue: Record<TrackSort, (t: Track) => string | number> = {
  name: (t) => t.name,
  '-name': (t) => t.name,
  price: (t) => t.unitPrice,
  '-price': (t) => t.unitPrice,
  duration: (t) => t.milliseconds,
  '-duration': (t) => t.milliseconds,
  newest: (t) => t.createdAt,
  id: (t) => t.id,
};

export class TrackRepository {
  private readonly byId;
  private readonly bySlug;

  constructor(private readonly db: Db) {
    this.byId = db.prepare(`${TRACK_SELECT} WHERE t.id = ?`);
    this.bySlug = db.prepare(`${TRACK_SELECT} WHERE t.slug = ?`);
  }

  count(): number {
    return statement(this.db, 'SELECT count(*) FROM chinook_tracks').pluck().get() as number;
  }

  get(id: number): Track {
    const row = this.byId.get(id) as Track | undefined;
    if (!row) throw notFound('track', id);
    return row;
  }

  getBySlug(slug: string): Track {
    const row = this.bySlug.get(slug) as Track | undefined;
    if (!row) throw notFound('track with slug', slug);
    return row;
  }

  list(query: TrackListQuery): Page<Track> {
    // An empty range is almost always a swapped pair; say so instead of answering "no tracks".
    for (const [lo, hi] of [
      ['minPrice', 'maxPrice'],
      ['minDurationMs', 'maxDurationMs'],
    ] as const) {
      const min = query[lo];
      const max = query[hi];
      if (min !== undefined && max !== undefined && min > max) throw badRequest(`${lo} (${min}) is greater than ${hi} (${max})`, { [lo]: min, [hi]: max });
    }
    const sort = query.sort ?? 'id';
    const spec: SortSpec = trackSorts[sort];
    const where: string[] = [];
    const params: (string | number)[] = [];
    for (const [key, clause] of filterColumns) {
      const value = query[key];
      if (value !== undefined) {
        where.push(clause);
        params.push(value);
      }
    }
    if (query.cursor) {
      const after = afterCursor(spec, 't.id', decodeCursor(query.cursor, sort, spec));
      where.push(after.sql);
      params.push(...after.params);
    }
    const sql = `${TRACK_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${orderBy(spec, 't.id')} LIMIT ?`;
    // Filter combinations are few (2^8 × sorts); each distinct SQL is prepared once per connection.
    const rows = statement(this.db, sql).all(...params, query.limit + 1) as Track[];
    return toPage(rows, query.limit, sort, sortValue[sort]);
  }
}
