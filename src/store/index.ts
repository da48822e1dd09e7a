// The store, wired: orders (Chinook invoices), plays, the activity log and popularity, all
// writing through the process's one group-commit queue, and the deferred indexes that keep
// the plays and activity lookups. Reached as `ctx.store`.
import type { CacheDb } from '../cache/index.ts';
import type { Config } from '../config.ts';
import { type Db, DeferredIndexer, type WriteQueue } from '../db/index.ts';
import type { DomainEvents } from '../events/index.ts';
import { ActivityLog, activityIndex } from './activity.ts';
import { TrackHistory } from './history.ts';
import { OrderService } from './orders.ts';
import { PlayService, playsIndex } from './plays.ts';
import { Popularity } from './popularity.ts';

export interface Store {
  orders: OrderService;
  plays: PlayService;
  activity: ActivityLog;
  popularity: Popularity;
  /** What a customer bought and their users played, newest first (the recommender's seeds). */
  history: TrackHistory;
  /** Folds the plays and activity logs into their lookup tables every few hundred ms. */
  deferredIndexes: DeferredIndexer;
}

/** `events` carries `order.placed` and `play.recorded` out, and brings them to popularity. */
export function createStore(db: Db, writes: WriteQueue, cache: CacheDb | null, events: DomainEvents, config: Pick<Config, 'deferredIndexMs'>): Store {
  return {
    orders: new OrderService(db, writes, events),
    plays: new PlayService(db, writes, events),
    activity: new ActivityLog(db, writes),
    popularity: new Popularity(db, cache, events),
    history: new TrackHistory(db),
    deferredIndexes: new DeferredIndexer(writes, [playsIndex, activityIndex], { everyMs: config.deferredIndexMs }),
  };
}

/** Hourly upkeep (activity older than the retention period goes) and the deferred indexes' timer. */
export function startStoreMaintenance(store: Store, config: Pick<Config, 'activityRetentionDays'>, everyMs = 3_600_000): () => void {
  const timer = setInterval(() => {
    store.activity.prune(config.activityRetentionDays).catch(() => {});
  }, everyMs);
  timer.unref();
  store.deferredIndexes.start();
  return () => {
    clearInterval(timer);
    store.deferredIndexes.stop();
    store.popularity.stop();
  };
}

export type { ActivityEntry, ActivityQuery, ActivityRow } from './activity.ts';
export { cachedPopularTracks } from './cached.ts';
export { type CustomerContact, Customers } from './customers.ts';
export { type HistoryEntry, type HistoryEvent, type HistoryQuery, TrackHistory } from './history.ts';
export { alsoBought, type Buyer, invoiceLineCount, type LibraryTrack, MAX_ORDER_LINES, type Order, type OrderLine } from './orders.ts';
export type { Play } from './plays.ts';
export type { PopularTrack } from './popularity.ts';
