// Report reads through the cache database, tagged `reports` (an order drops them; see
// tagsForEvent in cache/bus.ts); top tracks also `popular`.
import { type CacheDb, type Entry, rememberEntry } from '../cache/index.ts';
import type { SalesReports } from './sales.ts';

export class CachedReports {
  constructor(
    private readonly cache: CacheDb | null,
    private readonly reports: SalesReports,
  ) {}

  salesByCountry(limit: number): Entry | Promise<Entry> {
    return rememberEntry(this.cache, `reports:sales-by-country:${limit}`, { tags: ['reports'] }, () => ({ items: this.reports.salesByCountry(limit) }));
  }

  topArtists(limit: number): Entry | Promise<Entry> {
    return rememberEntry(this.cache, `reports:top-artists:${limit}`, { tags: ['reports'] }, () => ({ items: this.reports.topArtists(limit) }));
  }

  topTracks(limit: number): Entry | Promise<Entry> {
    return rememberEntry(this.cache, `reports:top-tracks:${limit}`, { tags: ['reports', 'popular'] }, () => ({ items: this.reports.topTracks(limit) }));
  }
}
