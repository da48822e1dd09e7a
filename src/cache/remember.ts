// The one cache-aside pattern. Each capability owns a small cached.ts (catalog/, reports/,
// search/, vectors/) that picks its keys, tags and TTL and calls these; the cache knows no
// feature. With the cache switched off (CHINOOK_CACHE=off, cache = null) every read computes.
import { type CacheDb, type Entry, etagOf, type RememberOptions } from './cache-db.ts';

export type { Entry, RememberOptions } from './cache-db.ts';

/** The value for `key`: from the cache, or computed once for all concurrent callers and stored. */
export async function remember<T>(cache: CacheDb | null, key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Promise<T> {
  return cache ? cache.remember(key, options, compute) : compute();
}

/**
 * Like remember, but the serialised JSON and its ETag: what an HTTP reply sends as is. A hit
 * is the entry itself, not a promise of it, so a route can send it in the same turn
 * (replyWithEntry); a miss is the promise of the computed entry.
 */
export function rememberEntry<T>(cache: CacheDb | null, key: string, options: RememberOptions<T>, compute: () => T | Promise<T>): Entry | Promise<Entry> {
  return cache ? cache.rememberJson(key, options, compute) : computeEntry(compute);
}

async function computeEntry<T>(compute: () => T | Promise<T>): Promise<Entry> {
  const json = JSON.stringify(await compute());
  return { json, etag: etagOf(json) };
}

/** A stable key for a query object: sorted keys, undefined dropped (`tracks?genreId=1&limit=20`). */
export function keyOf(prefix: string, query: object = {}): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${prefix}?${parts.join('&')}` : prefix;
}
