// Imports the official Chinook v1.4.5 SQLite file into the primary database in one
// transaction: the source is ATTACHed read-only and copied with INSERT … SELECT.
import path from 'node:path';
import { trackSlug } from '../catalog/index.ts';
import type { Db } from '../db/index.ts';
import { withSearchIndexSuspended } from '../search/index.ts';
import { type CatalogCounts, catalogCounts, catalogIsEmpty, clearCatalog, type ProgressFn } from './tables.ts';

export interface ImportResult {
  skipped: boolean;
  counts: CatalogCounts;
  ms: number;
}

// Chinook dates are 'YYYY-MM-DD HH:MM:SS'; we keep ISO-8601 with a Z like our own timestamps.
const isoDate = (col: string) => `CASE WHEN ${col} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', ${col}) END`;

const steps: [label: string, sql: string][] = [
  ['genres', "INSERT INTO chinook_genres (id, name) SELECT GenreId, COALESCE(Name, '') FROM src.Genre"],
  ['media types', "INSERT INTO chinook_media_types (id, name) SELECT MediaTypeId, COALESCE(Name, '') FROM src.MediaType"],
  ['artists', "INSERT INTO chinook_artists (id, name) SELECT ArtistId, COALESCE(Name, '') FROM src.Artist"],
  ['albums', 'INSERT INTO chinook_albums (id, title, artist_id) SELECT AlbumId, Title, ArtistId FROM src.Album'],
  [
    'tracks',
    `INSERT INTO chinook_tracks (id, slug, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price)
     SELECT TrackId, chinook_track_slug(Name, TrackId), Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds, Bytes, UnitPrice FROM src.Track`,
  ],
  ['playlists', "INSERT INTO chinook_playlists (id, name) SELECT PlaylistId, COALESCE(Name, '') FROM src.Playlist"],
  ['playlist tracks', 'INSERT INTO chinook_playlist_track (playlist_id, track_id) SELECT PlaylistId, TrackId FROM src.PlaylistTrack'],
  [
    'employees',
    `INSERT INTO chinook_employees (id, last_name, first_name, title, reports_to, birth_date, hire_date, address, city, state, country, postal_code, phone, fax, email)
     SELECT EmployeeId, LastName, FirstName, Title, ReportsTo, ${isoDate('BirthDate')}, ${isoDate('HireDate')}, Address, City, State, Country, PostalCode, Phone, Fax, Email
     FROM src.Employee ORDER BY ReportsTo IS NOT NULL, EmployeeId`,
  ],
  [
    'customers',
    `INSERT INTO chinook_customers (id, first_name, last_name, company, address, city, state, country, postal_code, phone, fax, email, support_rep_id)
     SELECT CustomerId, FirstName, LastName, Company, Address, City, State, Country, PostalCode, Phone, Fax, Email, SupportRepId FROM src.Customer`,
  ],
  [
    'invoices',
    `INSERT INTO chinook_invoices (id, customer_id, invoice_date, billing_address, billing_city, billing_state, billing_country, billing_postal_code, total)
     SELECT InvoiceId, CustomerId, ${isoDate('InvoiceDate')}, BillingAddress, BillingCity, BillingState, BillingCountry, BillingPostalCode, Total FROM src.Invoice`,
  ],
  [
    'invoice lines',
    `INSERT INTO chinook_invoice_lines (id, invoice_id, track_id, unit_price, quantity)
     SELECT InvoiceLineId, InvoiceId, TrackId, UnitPrice, Quantity FROM src.InvoiceLine`,
  ],
];

export function importOfficial(db: Db, sourcePath: string, options: { force?: boolean; onProgress?: ProgressFn } = {}): ImportResult {
  const started = performance.now();
  if (!catalogIsEmpty(db) && !options.force) {
    return { skipped: true, counts: catalogCounts(db), ms: performance.now() - started };
  }
  db.function('chinook_track_slug', { deterministic: true }, (name: unknown, id: unknown) => trackSlug(String(name), Number(id)));
  // A plain path: the source is only read (the shared copy has no write bits anyway).
  db.prepare('ATTACH DATABASE ? AS src').run(path.resolve(sourcePath));
  try {
    const missing = ['Track', 'Album', 'Artist', 'Genre', 'InvoiceLine'].filter(
      (t) => !db.prepare("SELECT 1 FROM src.sqlite_schema WHERE type = 'table' AND name = ?").get(t),
    );
    if (missing.length > 0) throw new Error(`${sourcePath} is not a Chinook database (missing tables: ${missing.join(', ')})`);
    db.transaction(() => {
      // Index triggers off for the bulk copy; the search index is rebuilt once at the end.
      withSearchIndexSuspended(db, () => {
        if (options.force) clearCatalog(db);
        steps.forEach(([label, sql], i) => {
          options.onProgress?.(i, steps.length, label);
          db.exec(sql);
        });
      });
      options.onProgress?.(steps.length, steps.length, 'done');
    }).immediate();
  } finally {
    db.exec('DETACH DATABASE src');
  }
  db.pragma('optimize');
  return { skipped: false, counts: catalogCounts(db), ms: performance.now() - started };
}
