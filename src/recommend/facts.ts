// What the recommender needs to know about tracks, read-only: names for replies and reasons,
// the tracks on the seeds' albums and by their artists, shared playlists, and popularity
// (through the store's track_popularity view, its one definition). Catalog tables are read
// directly, as the vector build does: no catalog service offers these joins by id list.
import type { Db, Stmt } from '../db/index.ts';
import type { TrackFeatures } from '../vectors/index.ts';

/** A track's names and ids, as the vector build reads them. */
export type TrackFact = Pick<TrackFeatures, 'id' | 'name' | 'albumId' | 'album' | 'artistId' | 'artist' | 'genreId' | 'genre'>;

export type TrackKeys = Pick<TrackFact, 'id' | 'name' | 'albumId' | 'artistId' | 'genreId'>;

/** Playlists holding more than this share of the catalog ("Music") say nothing about taste (as in the listens-alike space). */
const BROAD_PLAYLIST_SHARE = 0.25;

export class CatalogFacts {
  private readonly stmts: Record<
    | 'describe'
    | 'keys'
    | 'albumTracks'
    | 'artistSizes'
    | 'artistTracks'
    | 'playlistsOf'
    | 'playlistSize'
    | 'members'
    | 'trackCount'
    | 'playlist'
    | 'playlistTracks'
    | 'popularity'
    | 'popular'
    | 'existing',
    Stmt
  >;

  constructor(db: Db) {
    const ids = 'SELECT value FROM json_each(?)';
    this.stmts = {
      describe: db.prepare(
        `SELECT t.id, t.name, t.album_id AS albumId, al.title AS album, al.artist_id AS artistId, ar.name AS artist, t.genre_id AS genreId, g.name AS genre
         FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
         LEFT JOIN chinook_genres g ON g.id = t.genre_id WHERE t.id IN (${ids})`,
      ),
      keys: db.prepare(
        `SELECT t.id, t.name, t.album_id AS albumId, al.artist_id AS artistId, t.genre_id AS genreId
         FROM chinook_tracks t LEFT JOIN chinook_albums al ON al.id = t.album_id WHERE t.id IN (${ids})`,
      ),
      // Two indexed lookups rather than one OR, which SQLite answers by scanning every album.
      albumTracks: db.prepare(
        `SELECT t.id, t.name, t.album_id AS albumId, al.artist_id AS artistId, t.genre_id AS genreId FROM chinook_tracks t
         JOIN chinook_albums al ON al.id = t.album_id WHERE t.album_id IN (${ids})`,
      ),
      artistTracks: db.prepare(`SELECT t.id FROM chinook_albums al JOIN chinook_tracks t ON t.album_id = al.id WHERE al.artist_id IN (${ids})`),
      artistSizes: db.prepare(
        `SELECT al.artist_id AS artist, count(*) AS n FROM chinook_albums al JOIN chinook_tracks t ON t.album_id = al.id
         WHERE al.artist_id IN (${ids}) GROUP BY al.artist_id`,
      ),
      playlistsOf: db.prepare(`SELECT track_id AS track, playlist_id AS playlist FROM chinook_playlist_track WHERE track_id IN (${ids})`),
      playlistSize: db.prepare('SELECT count(*) AS n FROM chinook_playlist_track WHERE playlist_id = ?'),
      members: db.prepare(
        `SELECT track_id AS track, playlist_id AS playlist FROM chinook_playlist_track WHERE playlist_id IN (${ids}) AND track_id IN (${ids})`,
      ),
      trackCount: db.prepare('SELECT count(*) AS n FROM chinook_tracks'),
      playlist: db.prepare('SELECT id, name FROM chinook_playlists WHERE id = ?'),
      playlistTracks: db.prepare('SELECT track_id AS id FROM chinook_playlist_track WHERE playlist_id = ? ORDER BY track_id'),
      popularity: db.prepare(`SELECT p.track_id AS id, p.score FROM track_popularity p WHERE p.track_id IN (${ids})`),
      popular: db.prepare(`SELECT p.track_id AS id FROM track_popularity p WHERE p.track_id NOT IN (${ids}) ORDER BY p.score DESC, p.track_id LIMIT ?`),
      existing: db.prepare(`SELECT id FROM chinook_tracks WHERE id IN (${ids})`),
    };
  }

  describe(ids: Iterable<number>): Map<number, TrackFact> {
    const rows = this.stmts.describe.all(JSON.stringify([...ids])) as TrackFact[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Title, album, artist and genre ids of tracks (one join: the ranking's candidates are many; names come later). */
  keys(ids: Iterable<number>): Map<number, TrackKeys> {
    const rows = this.stmts.keys.all(JSON.stringify([...ids])) as TrackKeys[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Every track on these albums. */
  albumTracks(albumIds: readonly number[]): (TrackKeys & { albumId: number })[] {
    return this.stmts.albumTracks.all(JSON.stringify(albumIds)) as (TrackKeys & { albumId: number })[];
  }

  /** Every track by these artists (ids only). */
  artistTracks(artistIds: readonly number[]): { id: number }[] {
    return this.stmts.artistTracks.all(JSON.stringify(artistIds)) as { id: number }[];
  }

  /** Tracks per artist. */
  artistSizes(artistIds: readonly number[]): Map<number, number> {
    return new Map((this.stmts.artistSizes.all(JSON.stringify(artistIds)) as { artist: number; n: number }[]).map((r) => [r.artist, r.n]));
  }

  /** For each candidate, the seeds it shares a playlist with (broad playlists left out). */
  sharedPlaylists(candidates: readonly number[], seeds: readonly number[]): Map<number, Set<number>> {
    const theirs = this.stmts.playlistsOf.all(JSON.stringify(candidates)) as { track: number; playlist: number }[];
    const cap = BROAD_PLAYLIST_SHARE * (this.stmts.trackCount.get() as { n: number }).n;
    const narrow = [...new Set(theirs.map((r) => r.playlist))].filter((p) => (this.stmts.playlistSize.get(p) as { n: number }).n <= cap);
    const seedsIn = new Map<number, number[]>();
    for (const r of this.stmts.members.all(JSON.stringify(narrow), JSON.stringify(seeds)) as { track: number; playlist: number }[]) {
      seedsIn.set(r.playlist, [...(seedsIn.get(r.playlist) ?? []), r.track]);
    }
    const out = new Map<number, Set<number>>();
    for (const r of theirs) {
      const with_ = seedsIn.get(r.playlist);
      if (!with_) continue;
      const set = out.get(r.track) ?? new Set<number>();
      for (const s of with_) set.add(s);
      out.set(r.track, set);
    }
    return out;
  }

  playlist(id: number): { id: number; name: string; trackIds: number[] } | null {
    const p = this.stmts.playlist.get(id) as { id: number; name: string } | undefined;
    if (!p) return null;
    return { ...p, trackIds: (this.stmts.playlistTracks.all(id) as { id: number }[]).map((r) => r.id) };
  }

  /** track_popularity scores (units sold + plays) of these tracks. */
  popularity(ids: Iterable<number>): Map<number, number> {
    return new Map((this.stmts.popularity.all(JSON.stringify([...ids])) as { id: number; score: number }[]).map((r) => [r.id, r.score]));
  }

  /** The most popular tracks outside `exclude`, best first (ties by id). Walks the view: a cold start only. */
  mostPopular(limit: number, exclude: Iterable<number>): number[] {
    return (this.stmts.popular.all(JSON.stringify([...exclude]), limit) as { id: number }[]).map((r) => r.id);
  }

  /** The ids among these that are tracks. */
  existing(ids: readonly number[]): Set<number> {
    return new Set((this.stmts.existing.all(JSON.stringify(ids)) as { id: number }[]).map((r) => r.id));
  }
}
