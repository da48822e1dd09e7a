// Sales reports (read-only) and their cached form.
export { CachedReports } from './cached.ts';
export { type ArtistSales, type CountrySales, SalesReports, type TrackSales } from './sales.ts';
