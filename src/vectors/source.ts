// What the embedding providers read from the catalog, streamed in id order in batches so a
// million-track catalog never sits in memory at once. Read-only bulk SQL over the catalog
// tables: no catalog service offers a full-table stream with the joins the features need.
import type { Db } from '../db/index.ts';

export interface TrackFeatures {
  id: number;
  name: string;
  albumId: number | null;
  album: string | null;
  artistId: number | null;
  artist: string | null;
  genreId: number | null;
  genre: string | null;
  mediaTypeId: number;
  composer: string | null;
  milliseconds: number;
  bytes: number | null;
  unitPrice: number;
  albumSize: number;
  albumPosition: number;
  playlists: number[];
  invoices: number[];
}

export interface SourceOptions {
  batchSize?: number;
  /** Invoices to leave out of the co-occurrence data (the offline evaluation's held-out set). */
  excludeInvoiceIds?: ReadonlySet<number>;
}

export function trackCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM chinook_tracks').get() as { n: number }).n;
}

export function* streamTracks(db: Db, options: SourceOptions = {}): Generator<TrackFeatures[]> {
  yield* streamTracksFrom(db, 0, Number.POSITIVE_INFINITY, options);
}

/** Batches of tracks with id > after, at most maxBatches of them. */
function* streamTracksFrom(db: Db, after0: number, maxBatches: number, options: SourceOptions): Generator<TrackFeatures[]> {
  const batchSize = maxBatches === 1 ? 1 : (options.batchSize ?? 5000);
  const exclude = options.excludeInvoiceIds;
  const tracks = db.prepare(`
    SELECT t.id, t.name, t.album_id AS albumId, al.title AS album, al.artist_id AS artistId, ar.name AS artist,
           t.genre_id AS genreId, g.name AS genre, t.media_type_id AS mediaTypeId, t.composer,
           t.milliseconds, t.bytes, t.unit_price AS unitPrice,
           (SELECT count(*) FROM chinook_tracks s WHERE s.album_id = t.album_id) AS albumSize,
           (SELECT count(*) FROM chinook_tracks s WHERE s.album_id = t.album_id AND s.id < t.id) AS albumPosition
    FROM chinook_tracks t
    LEFT JOIN chinook_albums al ON al.id = t.album_id
    LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
    LEFT JOIN chinook_genres g ON g.id = t.genre_id
    WHERE t.id > ? ORDER BY t.id LIMIT ?`);
  const playlists = db.prepare('SELECT track_id AS t, playlist_id AS b FROM chinook_playlist_track WHERE track_id BETWEEN ? AND ?');
  const invoices = db.prepare('SELECT track_id AS t, invoice_id AS b FROM chinook_invoice_lines WHERE track_id BETWEEN ? AND ?');
  let after = after0;
  for (let b = 0; b < maxBatches; b++) {
    const rows = tracks.all(after, batchSize) as Omit<TrackFeatures, 'playlists' | 'invoices'>[];
    if (rows.length === 0) return;
    const first = rows[0]?.id as number;
    const last = rows[rows.length - 1]?.id as number;
    const byId = new Map<number, TrackFeatures>();
    const out = rows.map((r) => {
      const f: TrackFeatures = { ...r, playlists: [], invoices: [] };
      byId.set(r.id, f);
      return f;
    });
    for (const { t, b } of playlists.all(first, last) as { t: number; b: number }[]) byId.get(t)?.playlists.push(b);
    for (const { t, b } of invoices.all(first, last) as { t: number; b: number }[]) {
      if (!exclude?.has(b)) byId.get(t)?.invoices.push(b);
    }
    yield out;
    after = last;
  }
}

/** Tracks per playlist and per invoice (distinct tracks), for the inverse document frequencies. */
export function basketSizes(db: Db, exclude?: ReadonlySet<number>): { playlists: Map<number, number>; invoices: Map<number, number> } {
  const playlists = new Map<number, number>();
  for (const r of db.prepare('SELECT playlist_id AS b, count(*) AS n FROM chinook_playlist_track GROUP BY playlist_id').iterate() as Iterable<{
    b: number;
    n: number;
  }>) {
    playlists.set(r.b, r.n);
  }
  const invoices = new Map<number, number>();
  for (const r of db.prepare('SELECT invoice_id AS b, count(DISTINCT track_id) AS n FROM chinook_invoice_lines GROUP BY invoice_id').iterate() as Iterable<{
    b: number;
    n: number;
  }>) {
    if (!exclude?.has(r.b)) invoices.set(r.b, r.n);
  }
  return { playlists, invoices };
}

export function idsOf(db: Db, table: 'chinook_genres' | 'chinook_media_types' | 'chinook_playlists'): number[] {
  return (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
}

/** The same features for a few tracks by id (the refresh queue after catalog edits). */
export function tracksByIds(db: Db, ids: readonly number[], options: SourceOptions = {}): TrackFeatures[] {
  const out: TrackFeatures[] = [];
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  for (const id of sorted) {
    for (const batch of streamTracksFrom(db, id - 1, 1, options)) out.push(...batch.filter((t) => t.id === id));
  }
  return out;
}
