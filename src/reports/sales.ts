// Sales reports an operator expects: revenue by country, best-selling artists and tracks.
// Money is summed in SQL and rounded to cents once, at the end.
import type { Db } from '../db/index.ts';

export interface CountrySales {
  country: string;
  invoices: number;
  customers: number;
  revenue: number;
}
export interface ArtistSales {
  artistId: number;
  name: string;
  unitsSold: number;
  revenue: number;
  tracksSold: number;
  trackCount: number;
}
export interface TrackSales {
  id: number;
  name: string;
  artistId: number | null;
  artist: string | null;
  album: string | null;
  unitsSold: number;
  revenue: number;
}

export class SalesReports {
  private readonly byCountry;
  private readonly artists;
  private readonly tracks;

  constructor(db: Db) {
    this.byCountry = db.prepare(`
      SELECT COALESCE(billing_country, '(unknown)') AS country, count(*) AS invoices,
             count(DISTINCT customer_id) AS customers, round(sum(total), 2) AS revenue
      FROM chinook_invoices GROUP BY 1 ORDER BY revenue DESC, country LIMIT ?`);
    this.artists = db.prepare(`
      WITH sold AS (
        SELECT al.artist_id, sum(il.quantity) AS units, round(sum(il.unit_price * il.quantity), 2) AS revenue,
               count(DISTINCT il.track_id) AS tracks_sold
        FROM chinook_invoice_lines il
        JOIN chinook_tracks t ON t.id = il.track_id
        JOIN chinook_albums al ON al.id = t.album_id
        GROUP BY al.artist_id
      )
      SELECT ar.id AS artistId, ar.name, sold.units AS unitsSold, sold.revenue, sold.tracks_sold AS tracksSold,
             (SELECT count(*) FROM chinook_tracks t JOIN chinook_albums a ON a.id = t.album_id WHERE a.artist_id = ar.id) AS trackCount
      FROM sold JOIN chinook_artists ar ON ar.id = sold.artist_id
      ORDER BY unitsSold DESC, revenue DESC, ar.id LIMIT ?`);
    // Units sold are the track_popularity view's (migration 009, the store's one definition);
    // revenue is summed here from the same invoice lines.
    this.tracks = db.prepare(`
      WITH revenue AS (SELECT track_id, round(sum(unit_price * quantity), 2) AS revenue FROM chinook_invoice_lines GROUP BY track_id)
      SELECT t.id, t.name, al.artist_id AS artistId, ar.name AS artist, al.title AS album, p.units_sold AS unitsSold, r.revenue
      FROM revenue r
      JOIN track_popularity p ON p.track_id = r.track_id
      JOIN chinook_tracks t ON t.id = r.track_id
      LEFT JOIN chinook_albums al ON al.id = t.album_id
      LEFT JOIN chinook_artists ar ON ar.id = al.artist_id
      ORDER BY unitsSold DESC, r.revenue DESC, t.id LIMIT ?`);
  }

  salesByCountry(limit: number): CountrySales[] {
    return this.byCountry.all(limit) as CountrySales[];
  }

  topArtists(limit: number): ArtistSales[] {
    return this.artists.all(limit) as ArtistSales[];
  }

  topTracks(limit: number): TrackSales[] {
    return this.tracks.all(limit) as TrackSales[];
  }
}
