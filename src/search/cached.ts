// Search through the in-memory cache database (table `search`, tag `search`): catalog
// edits invalidate the tag in every worker; anything else ages out with the search TTL.
import { type CacheDb, rememberEntry } from '../cache/index.ts';
import type { SearchRequest, SearchService } from './service.ts';

/** Canonical key: the same question asked with its parameters in another order hits the same entry. */
export function searchCacheKey(req: SearchRequest): string {
  const entries = Object.entries(req)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `search:${JSON.stringify(entries)}`;
}

/**
 * The reply as JSON: the stored result sent as it is, with this request's `cached` and `tookMs`
 * in front (tookMs is this request's time, not that of whoever filled the entry). Parsing a hit
 * only for Fastify to serialise it again was a fifth of the store mix's CPU: 84–85 → 66 µs a
 * request with this, 11.8–12.0k → 15.1k req/s (pinned, alternating runs, 2026-11-30).
 */
export async function cachedSearch(cache: CacheDb | null, service: SearchService, req: SearchRequest): Promise<string> {
  const started = performance.now();
  let computedMs: number | null = null;
  const entry = await rememberEntry(cache, searchCacheKey(req), { table: 'search', tags: ['search'] }, () => {
    const { tookMs, ...result } = service.search(req);
    computedMs = tookMs;
    return result;
  });
  const tookMs = computedMs ?? Math.round((performance.now() - started) * 1000) / 1000;
  return `{"cached":${computedMs === null},"tookMs":${tookMs},${entry.json.slice(1)}`;
}

/**
 * Suggestions as JSON, through the same cache table and tag as searches (a catalog edit drops
 * them; popularity moves them within the search TTL). Keyed by the text as typed: a trailing
 * space or an operator changes the answer. A box sends a request per pause in typing, and the
 * uncached answer is a names ranking per prefix (1M tracks, `inf`: 26 ms) or, for a misspelled
 * word, a search (1M, `inerno`: 7.9 ms; docs/BENCHMARKS.md).
 */
export async function cachedSuggest(cache: CacheDb | null, service: SearchService, q: string, limit: number): Promise<string> {
  const entry = await rememberEntry(cache, `suggest:${limit}:${q}`, { table: 'search', tags: ['search'] }, () => service.suggest(q, limit));
  return entry.json;
}
