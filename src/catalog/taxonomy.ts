// Genres, media types and playlists: the small lists a storefront browses by.
import type { Db, Stmt } from '../db/index.ts';
import { notFound } from '../errors.ts';
import { afterCursor, decodeCursor, orderBy, type Page, type SortSpec, toPage } from './keyset.ts';
import { TRACK_SELECT, type Track } from './tracks.ts';

export interface Genre {
  id: number;
  name: string;
  trackCount: number;
}
export type MediaType = Genre;
export interface PlaylistSummary {
  id: number;
  name: string;
  trackCount: number;
}
export interface PlaylistDetail extends PlaylistSummary {
  tracks: Page<Track>;
}

const playlistSorts = {
  name: { expr: 'p.name COLLATE NOCASE', direction: 'ASC', valueType: 'string' },
  id: { expr: 'p.id', direction: 'ASC', valueType: 'number' },
} as const satisfies Record<string, SortSpec>;
export type PlaylistSort = keyof typeof playlistSorts;
const playlistTrackOrder: SortSpec = { expr: 't.id', direction: 'ASC', valueType: 'number' };

export class TaxonomyRepository {
  private readonly genres;
  private readonly mediaTypes;
  private readonly playlistById;
  private readonly playlistTracks;
  private readonly playlistTracksAfter;
  private readonly playlistsBy: Record<PlaylistSort, { first: Stmt; after: Stmt }>;

  constructor(db: Db) {
    this.genres = db.prepare(
      'SELECT g.id, g.name, (SELECT count(*) FROM chinook_tracks t WHERE t.genre_id = g.id) AS trackCount FROM chinook_genres g ORDER BY g.name COLLATE NOCASE, g.id',
    );
    this.mediaTypes = db.prepare(
      'SELECT m.id, m.name, (SELECT count(*) FROM chinook_tracks t WHERE t.media_type_id = m.id) AS trackCount FROM chinook_media_types m ORDER BY m.name COLLATE NOCASE, m.id',
    );
    const select = 'SELECT p.id, p.name, (SELECT count(*) FROM chinook_playlist_track pt WHERE pt.playlist_id = p.id) AS trackCount FROM chinook_playlists p';
    this.playlistById = db.prepare(`${select} WHERE p.id = ?`);
    this.playlistsBy = Object.fromEntries(
      (Object.entries(playlistSorts) as [PlaylistSort, SortSpec][]).map(([sort, spec]) => [
        sort,
        {
          first: db.prepare<unknown[]>(`${select} ${orderBy(spec, 'p.id')} LIMIT ?`),
          after: db.prepare<unknown[]>(`${select} WHERE ${afterCursor(spec, 'p.id', { value: 0, id: 0 }).sql} ${orderBy(spec, 'p.id')} LIMIT ?`),
        },
      ]),
    ) as TaxonomyRepository['playlistsBy'];
    const tracksSql = `${TRACK_SELECT} JOIN chinook_playlist_track pt ON pt.track_id = t.id WHERE pt.playlist_id = ?`;
    this.playlistTracks = db.prepare(`${tracksSql} ORDER BY t.id LIMIT ?`);
    this.playlistTracksAfter = db.prepare(`${tracksSql} AND t.id > ? ORDER BY t.id LIMIT ?`);
  }

  listGenres(): Genre[] {
    return this.genres.all() as Genre[];
  }

  listMediaTypes(): MediaType[] {
    return this.mediaTypes.all() as MediaType[];
  }

  listPlaylists(q: { sort?: PlaylistSort | undefined; limit: number; cursor?: string | undefined }): Page<PlaylistSummary> {
    const sort = q.sort ?? 'name';
    const spec: SortSpec = playlistSorts[sort];
    const stmts = this.playlistsBy[sort];
    const rows = (
      q.cursor
        ? (() => {
            const at = decodeCursor(q.cursor, sort, spec);
            return stmts.after.all(at.value, at.id, q.limit + 1);
          })()
        : stmts.first.all(q.limit + 1)
    ) as PlaylistSummary[];
    return toPage(rows, q.limit, sort, (r) => (sort === 'id' ? r.id : r.name));
  }

  /** A playlist with one page of its tracks (the largest Chinook playlist holds 3,290). */
  getPlaylist(id: number, page: { limit: number; cursor?: string | undefined }): PlaylistDetail {
    const playlist = this.playlistById.get(id) as PlaylistSummary | undefined;
    if (!playlist) throw notFound('playlist', id);
    const rows = (
      page.cursor
        ? this.playlistTracksAfter.all(id, decodeCursor(page.cursor, 'id', playlistTrackOrder).id, page.limit + 1)
        : this.playlistTracks.all(id, page.limit + 1)
    ) as Track[];
    return { ...playlist, tracks: toPage(rows, page.limit, 'id', (t) => t.id) };
  }
}
