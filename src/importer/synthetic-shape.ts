// The shape of a synthetic catalog: Chinook's ratios, scaled to any size, and the calendar the
// rows are dated on. Chinook has ~0.64 invoice lines per track and ~60 tracks per customer; we
// keep those ratios so that reports and co-occurrence scale with the catalog.
import { cumulative } from './rng.ts';

export const INVOICE_LINES_PER_TRACK = 0.64;
export const TRACKS_PER_CUSTOMER = 60;
export const MIN_CUSTOMERS = 59;
export const PLAYLIST_ENTRIES_PER_TRACK = 1.2;
export const ALBUMS_PER_ARTIST = cumulative([40, 22, 12, 8, 6, 4, 3, 2, 2, 1]); // index + 1 albums
export const LINES_PER_INVOICE = cumulative([16, 15, 11, 11, 8, 9, 5, 5, 4, 3, 3, 3, 2, 5]); // index + 1 lines
export const MEAN_LINES_PER_INVOICE = LINES_PER_INVOICE.reduce((s, c, i) => s + (i + 1) * (c - (LINES_PER_INVOICE[i - 1] ?? 0)), 0) / LINES_PER_INVOICE.at(-1)!;
export const MIN_ALBUM_TRACKS = 8;
export const MAX_ALBUM_TRACKS = 20;
export const COMPOSERLESS_ALBUM_SHARE = 0.26; // + ~2% of single tracks ≈ Chinook's 28% without composer

export const DAY_MS = 86_400_000;
export const CATALOG_FROM = Date.UTC(2019, 0, 1);
export const CATALOG_TO = Date.UTC(2025, 5, 30);
export const INVOICES_FROM = Date.UTC(2021, 0, 1);
export const INVOICE_DAYS = (Date.UTC(2025, 11, 31) - INVOICES_FROM) / DAY_MS;

export const customerCount = (tracks: number) => Math.max(MIN_CUSTOMERS, Math.round(tracks / TRACKS_PER_CUSTOMER));
export const playlistEntryTarget = (tracks: number) => Math.round(tracks * PLAYLIST_ENTRIES_PER_TRACK);
export const invoiceCount = (tracks: number) => Math.max(1, Math.round((tracks * INVOICE_LINES_PER_TRACK) / MEAN_LINES_PER_INVOICE));

export const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
export const asciiWord = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

/** Counts rows written under a phase label (the generator turns it into progress callbacks). */
export type Progress = (rows: number, label: string) => void;
