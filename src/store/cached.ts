// The storefront's "popular now" shelf through the cache database: the most popular tracks
// (the track_popularity view) with their catalog details, tagged `popular` (an order drops it;
// see tagsForEvent in cache/bus.ts) and kept a minute, since every play moves the ranking.
import { type CacheDb, type Entry, rememberEntry } from '../cache/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { Popularity } from './popularity.ts';

/** The ranking moves with every play; a minute of staleness costs one query a minute. */
const POPULAR_TTL_SECONDS = 60;

export function cachedPopularTracks(cache: CacheDb | null, popularity: Popularity, catalog: CatalogService, limit: number): Entry | Promise<Entry> {
  return rememberEntry(cache, `popular:tracks:${limit}`, { tags: ['popular'], ttlSeconds: POPULAR_TTL_SECONDS }, () => ({
    items: popularity.topTracks(limit).map((p) => ({ ...catalog.tracks.get(p.id), popularity: p.score })),
  }));
}
