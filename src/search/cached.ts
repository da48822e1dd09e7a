// Search through the in-memory cache database (table `search`, tag `search`): catalog
// edits invalidate the tag in every worker; anything else ages out with the search TTL.
import { type CacheDb, remember } from '../cache/index.ts';
import type { SearchRequest, SearchResult, SearchService } from './service.ts';

export type CachedSearchResult = SearchResult & { cached: boolean };

/** Canonical key: the same question asked with its parameters in another order hits the same entry. */
export function searchCacheKey(req: SearchRequest): string {
  const entries = Object.entries(req)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `search:${JSON.stringify(entries)}`;
}

export async function cachedSearch(cache: CacheDb | null, service: SearchService, req: SearchRequest): Promise<CachedSearchResult> {
  const started = performance.now();
  let computed = false;
  const value = await remember(cache, searchCacheKey(req), { table: 'search', tags: ['search'] }, () => {
    computed = true;
    return service.search(req);
  });
  // tookMs is this request's time, not the time it took whoever filled the entry.
  return { ...value, cached: !computed, tookMs: computed ? value.tookMs : Math.round((performance.now() - started) * 1000) / 1000 };
}
