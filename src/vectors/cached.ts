// /similar through the cache database: the named list for (track, space, limit, maxPerAlbum) as JSON with its ETag,
// tagged `recommendations` (a rebuild or an admin clear drops them all), `track:<source>` and
// `track:<each neighbour>` (an edit of any track shown drops it). Below it the persistent
// 24-hour similarity cache in the primary keeps the 50 nearest ids per (track, space) for
// every process; docs/cache.md says why both layers exist.
import { type CacheDb, type Entry, rememberEntry } from '../cache/index.ts';
import type { SimilarItem, SimilarityService } from './service.ts';
import type { SimilarSpace } from './spaces.ts';

export interface SimilarRequest {
  trackId: number;
  space: SimilarSpace;
  limit: number;
  /** At most this many tracks of one album in each run of 10 (collapse.ts); undefined: the service's default. */
  maxPerAlbum?: number | undefined;
}

/** The JSON and its ETag: a hit goes out as stored (parsing it only for Fastify to serialise it again was ~3 % of the store mix). */
export function cachedSimilar(cache: CacheDb | null, similarity: SimilarityService, req: SimilarRequest): Entry | Promise<Entry> {
  const { trackId, space, limit, maxPerAlbum } = req;
  return rememberEntry(
    cache,
    `similar:${trackId}:${space}:${limit}:${maxPerAlbum}`,
    { tags: (v: { items: SimilarItem[] }) => ['recommendations', `track:${trackId}`, ...v.items.map((i) => `track:${i.id}`)] },
    () => similarity.similar(trackId, space, limit, maxPerAlbum === undefined ? {} : { maxPerAlbum }),
  );
}
