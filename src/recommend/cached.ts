// Personal recommendations through the cache database, per listener and request shape. One
// costs ~7 ms of CPU (the ranker over the listener's whole history: about half the CPU of
// bench:load's full mix), and the storefront's home asks again on every visit. An order drops
// the buyer's entries at once, in every worker (tagsForEvent in cache/bus.ts): a bought track
// must leave the list before the next page. A play moves the profile a little and shows
// within RECOMMENDATIONS_TTL_SECONDS. A catalog edit or a vector rebuild drops them all
// (`recommendations`). The reply is personal: sent `private`, never shared by a proxy.
import { type CacheDb, type Entry, keyOf, rememberEntry } from '../cache/index.ts';
import type { ListOptions, Recommender } from './recommender.ts';

/** How long a play may take to reach the list: a minute, as the popular shelf (store/cached.ts). */
export const RECOMMENDATIONS_TTL_SECONDS = 60;
export const RECOMMENDATIONS_CACHE_CONTROL = 'private, no-cache';

export interface Listener {
  customerId?: number | null;
  userId?: number | null;
}

export function cachedRecommendations(
  cache: CacheDb | null,
  recommender: Recommender,
  customerOfUser: (userId: number) => number | null,
  subject: Listener,
  options: ListOptions,
): Entry | Promise<Entry> {
  const customerId = subject.customerId ?? (subject.userId == null ? null : customerOfUser(subject.userId));
  const who = subject.customerId != null ? `customer:${subject.customerId}` : `user:${subject.userId}`;
  const key = keyOf(`recommendations:${who}`, {
    limit: options.limit,
    maxPerAlbum: options.maxPerAlbum,
    weights: options.weights && JSON.stringify(options.weights),
  });
  const tags = ['recommendations', `recommendations:${who}`, ...(customerId == null ? [] : [`recommendations:customer:${customerId}`])];
  return rememberEntry(cache, key, { tags, ttlSeconds: RECOMMENDATIONS_TTL_SECONDS }, () => recommender.recommend(subject, options));
}
