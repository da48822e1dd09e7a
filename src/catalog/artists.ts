// Artists and albums: lists with keyset pagination, details with their children.
import { type Db, statement } from '../db/index.ts';
import { notFound } from '../errors.ts';
import { afterCursor, decodeCursor, orderBy, type Page, type SortSpec, toPage } from './keyset.ts';
import { TRACK_SELECT, type Track } from './tracks.ts';

export interface ArtistSummary {
  id: number;
  name: string;
  albumCount: number;
}
export interface AlbumSummary {
  id: number;
  title: string;
  artistId: number;
  artist: string;
  releaseDate: string | null;
  trackCount: number;
}
export interface ArtistDetail extends ArtistSummary {
  albums: AlbumSummary[];
}
export interface AlbumDetail extends AlbumSummary {
  durationMs: number;
  tracks: Track[];
}

export const artistSorts = {
  name: { expr: 'ar.name COLLATE NOCASE', direction: 'ASC', valueType: 'string' },
  '-name': { expr: 'ar.name COLLATE NOCASE', direction: 'DESC', valueType: 'string' },
  id: { expr: 'ar.id', direction: 'ASC', valueType: 'number' },
} as const satisfies Record<string, SortSpec>;
export type ArtistSort = keyof typeof artistSorts;

export interface ArtistListQuery {
  sort?: ArtistSort | undefined;
  limit: number;
  cursor?: string | undefined;
  /** Only artists with at least one album. */
  withAlbums?: boolean | undefined;
}

export const albumSorts = {
  title: { expr: 'al.title COLLATE NOCASE', direction: 'ASC', valueType: 'string' },
  '-title': { expr: 'al.title COLLATE NOCASE', direction: 'DESC', valueType: 'string' },
  id: { expr: 'al.id', direction: 'ASC', valueType: 'number' },
} as const satisfies Record<string, SortSpec>;
export type AlbumSort = keyof typeof albumSorts;

const ARTIST_SELECT = `
  SELECT ar.id, ar.name, (SELECT count(*) FROM chinook_albums a2 WHERE a2.artist_id = ar.id) AS albumCount
  FROM chinook_artists ar`;
const ALBUM_SELECT = `
  SELECT al.id, al.title, al.artist_id AS artistId, ar.name AS artist, al.release_date AS releaseDate,
         (SELECT count(*) FROM chinook_tracks t2 WHERE t2.album_id = al.id) AS trackCount
  FROM chinook_albums al JOIN chinook_artists ar ON ar.id = al.artist_id`;

export class ArtistRepository {
  constructor(private readonly db: Db) {}

  /** Each distinct SQL (a sort and cursor shape) is prepared once per connection (db/connection.ts statement). */
  private prepared(sql: string) {
    return statement(this.db, sql);
  }

  listArtists(q: ArtistListQuery): Page<ArtistSummary> {
    const sort = q.sort ?? 'name';
    const spec: SortSpec = artistSorts[sort];
    const after = q.cursor ? afterCursor(spec, 'ar.id', decodeCursor(q.cursor, sort, spec)) : undefined;
    const where: string[] = [];
    // Chinook lists 71 of its 275 artists without an album: nothing to show or sell. A store's
    // directory leaves them out (withAlbums); the API lists every artist unless asked.
    if (q.withAlbums) where.push('EXISTS (SELECT 1 FROM chinook_albums a3 WHERE a3.artist_id = ar.id)');
    if (after) where.push(after.sql);
    const sql = `${ARTIST_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${orderBy(spec, 'ar.id')} LIMIT ?`;
    const rows = this.prepared(sql).all(...(after?.params ?? []), q.limit + 1) as ArtistSummary[];
    return toPage(rows, q.limit, sort, (r) => (sort === 'id' ? r.id : r.name));
  }

  getArtist(id: number): ArtistDetail {
    const artist = this.prepared(`${ARTIST_SELECT} WHERE ar.id = ?`).get(id) as ArtistSummary | undefined;
    if (!artist) throw notFound('artist', id);
    const albums = this.prepared(`${ALBUM_SELECT} WHERE al.artist_id = ? ORDER BY al.title COLLATE NOCASE, al.id`).all(id) as AlbumSummary[];
    return { ...artist, albums };
  }

  listAlbums(q: { artistId?: number | undefined; sort?: AlbumSort | undefined; limit: number; cursor?: string | undefined }): Page<AlbumSummary> {
    const sort = q.sort ?? 'title';
    const spec: SortSpec = albumSorts[sort];
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.artistId !== undefined) {
      where.push('al.artist_id = ?');
      params.push(q.artistId);
    }
    if (q.cursor) {
      const after = afterCursor(spec, 'al.id', decodeCursor(q.cursor, sort, spec));
      where.push(after.sql);
      params.push(...after.params);
    }
    const sql = `${ALBUM_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${orderBy(spec, 'al.id')} LIMIT ?`;
    const rows = this.prepared(sql).all(...params, q.limit + 1) as AlbumSummary[];
    return toPage(rows, q.limit, sort, (r) => (sort === 'id' ? r.id : r.title));
  }

  getAlbum(id: number): AlbumDetail {
    const album = this.prepared(`${ALBUM_SELECT} WHERE al.id = ?`).get(id) as AlbumSummary | undefined;
    if (!album) throw notFound('album', id);
    const tracks = this.prepared(`${TRACK_SELECT} WHERE t.album_id = ? ORDER BY t.id`).all(id) as Track[];
    return { ...album, durationMs: tracks.reduce((s, t) => s + t.milliseconds, 0), tracks };
  }
}
