// What both importers (official and synthetic) share: emptying the catalog and counting it.
import type { Db } from '../db/index.ts';

export type ProgressFn = (done: number, total: number, label: string) => void;

export interface CatalogCounts {
  artists: number;
  albums: number;
  tracks: number;
  genres: number;
  mediaTypes: number;
  playlists: number;
  playlistTracks: number;
  employees: number;
  customers: number;
  invoices: number;
  invoiceLines: number;
}

const countedTables: Record<keyof CatalogCounts, string> = {
  artists: 'chinook_artists',
  albums: 'chinook_albums',
  tracks: 'chinook_tracks',
  genres: 'chinook_genres',
  mediaTypes: 'chinook_media_types',
  playlists: 'chinook_playlists',
  playlistTracks: 'chinook_playlist_track',
  employees: 'chinook_employees',
  customers: 'chinook_customers',
  invoices: 'chinook_invoices',
  invoiceLines: 'chinook_invoice_lines',
};

export function catalogCounts(db: Db): CatalogCounts {
  const out = {} as CatalogCounts;
  for (const [key, table] of Object.entries(countedTables) as [keyof CatalogCounts, string][]) {
    out[key] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return out;
}

export function catalogIsEmpty(db: Db): boolean {
  return db.prepare('SELECT 1 FROM chinook_tracks LIMIT 1').get() === undefined;
}

/** Empties the catalog (children first). Runs inside the caller's transaction. */
export function clearCatalog(db: Db): void {
  db.exec(`
    UPDATE users SET customer_id = NULL WHERE customer_id IS NOT NULL;
    DELETE FROM plays;
    DELETE FROM plays_by_user;
    DELETE FROM track_play_counts;
    DELETE FROM chinook_playlist_track;
    DELETE FROM chinook_invoice_lines;
    DELETE FROM chinook_invoices;
    DELETE FROM chinook_customers;
    DELETE FROM chinook_employees;
    DELETE FROM chinook_playlists;
    DELETE FROM chinook_tracks;
    DELETE FROM chinook_albums;
    DELETE FROM chinook_artists;
    DELETE FROM chinook_genres;
    DELETE FROM chinook_media_types;
  `);
}

export function formatCounts(c: CatalogCounts): string {
  return [
    `${c.tracks} tracks`,
    `${c.albums} albums`,
    `${c.artists} artists`,
    `${c.genres} genres`,
    `${c.mediaTypes} media types`,
    `${c.playlists} playlists (${c.playlistTracks} entries)`,
    `${c.employees} employees`,
    `${c.customers} customers`,
    `${c.invoices} invoices`,
    `${c.invoiceLines} invoice lines`,
  ].join(', ');
}
