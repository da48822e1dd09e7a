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
    for (const { t, b } of invoices.all(first, last) as { t: number; b: number }[]) byId.get(t)?.invoices.push(b);
    yield out;
    after = last;
  }
}

/** What the invoice data looked like: how many invoices could be judged, and how many were generated. */
export interface InvoiceAudit {
  invoices: number;
  /** Invoices of ≥ 3 distinct tracks: enough to tell an arithmetic run from a real basket. */
  judged: number;
  /** Judged invoices whose sorted track ids step evenly (2, 4, 6, … or 16, 20, 24, …). */
  arithmetic: number;
  /** Invoices left out of the baskets (the arithmetic ones, and the unjudged ones when most judged ones are). */
  dropped: number;
}

/**
 * Above this share of arithmetic runs among the judged invoices, the invoice history is treated
 * as generated and the 1- and 2-track invoices (which cannot be judged) are dropped with them.
 * Chinook: 236 of 236 judged invoices are arithmetic runs (3 of them wrap past the last id);
 * a real store's baskets almost never are (three random tracks of 3 503: about 0.1 %).
 */
const GENERATED_SHARE = 0.5;

/**
 * Sorted ids that step evenly around the circle of track ids (1, 5, 9, 13, 3496, 3500 with 3503
 * tracks: the generator wrapped past the last id): all circular gaps but at most one are equal.
 */
export function isArithmeticRun(sorted: readonly number[], modulus: number): boolean {
  const m = sorted.length;
  const gaps = sorted.map((id, i) => (i + 1 < m ? (sorted[i + 1] as number) - id : (sorted[0] as number) + modulus - id));
  const counts = new Map<number, number>();
  for (const g of gaps) counts.set(g, (counts.get(g) ?? 0) + 1);
  return Math.max(...counts.values()) >= m - 1;
}

/**
 * Tracks per playlist and per kept invoice (distinct tracks), for the inverse document
 * frequencies. Invoices that are arithmetic runs of track ids are generated data, not taste
 * (docs/vectors.md): they are audited here and left out of the co-occurrence baskets.
 */
export function basketSizes(db: Db): { playlists: Map<number, number>; invoices: Map<number, number>; invoiceAudit: InvoiceAudit } {
  const playlists = new Map<number, number>();
  for (const r of db.prepare('SELECT playlist_id AS b, count(*) AS n FROM chinook_playlist_track GROUP BY playlist_id').iterate() as Iterable<{
    b: number;
    n: number;
  }>) {
    playlists.set(r.b, r.n);
  }
  const modulus = (db.prepare('SELECT coalesce(max(id), 0) AS n FROM chinook_tracks').get() as { n: number }).n;
  const sizes = new Map<number, number>();
  const arithmetic = new Set<number>();
  let judged = 0;
  let current = -1;
  let ids: number[] = [];
  const close = () => {
    if (current < 0) return;
    sizes.set(current, ids.length);
    if (ids.length < 3) return;
    judged++;
    if (isArithmeticRun(ids, modulus)) arithmetic.add(current);
  };
  for (const r of db
    .prepare('SELECT DISTINCT invoice_id AS b, track_id AS t FROM chinook_invoice_lines ORDER BY invoice_id, track_id')
    .raw(true)
    .iterate() as Iterable<[number, number]>) {
    if (r[0] !== current) {
      close();
      current = r[0];
      ids = [];
    }
    ids.push(r[1]);
  }
  close();
  const generated = judged > 0 && arithmetic.size / judged > GENERATED_SHARE;
  const invoices = new Map<number, number>();
  for (const [id, n] of sizes) if (!arithmetic.has(id) && !(generated && n < 3)) invoices.set(id, n);
  return { playlists, invoices, invoiceAudit: { invoices: sizes.size, judged, arithmetic: arithmetic.size, dropped: sizes.size - invoices.size } };
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
