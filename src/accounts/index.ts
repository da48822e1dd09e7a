// Accounts and the store, wired: users, sessions, orders, plays and the activity log, all
// writing through the process's one group-commit queue.
import type { CacheLayer } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { DeferredIndexer } from '../db/deferred-indexes.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import { ActivityLog, activityIndex } from '../store/activity.ts';
import { OrderService } from '../store/orders.ts';
import { PlayService, playsIndex } from '../store/plays.ts';
import { Popularity } from '../store/popularity.ts';
import { SharedCounters } from './limits.ts';
import { SessionService } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';
import { UserService } from './users.ts';

export interface Accounts {
  users: UserService;
  sessions: SessionService;
  throttle: LoginThrottle;
  /** Counters shared by every worker: per-IP rate limits and failed logins per account. */
  limits: SharedCounters;
  orders: OrderService;
  plays: PlayService;
  activity: ActivityLog;
  popularity: Popularity;
  /** Folds the plays and activity logs into their lookup tables every few hundred ms. */
  deferredIndexes: DeferredIndexer;
}

export function createAccounts(db: Db, writes: WriteQueue, cache: CacheLayer, config: Config): Accounts {
  const sessions = new SessionService(db, writes, cache.cache, {
    idleSeconds: config.sessionIdleSeconds,
    // Other workers hold cached copies; a revoked session must stop working in all of them.
    broadcastRevoke: (ids) => cache.bus.invalidate(ids.map((id) => `session:${id}`)),
  });
  const popularity = new Popularity(db, cache.cache);
  const limits = new SharedCounters(db, writes);
  return {
    limits,
    users: new UserService(db, writes),
    sessions,
    throttle: new LoginThrottle(limits, config.loginFailuresPerAccount),
    orders: new OrderService(db, writes),
    plays: new PlayService(db, writes, (trackId) => popularity.touched([trackId], 'play')),
    activity: new ActivityLog(db, writes),
    popularity,
    deferredIndexes: new DeferredIndexer(writes, [playsIndex, activityIndex], { everyMs: config.deferredIndexMs }),
  };
}

export type { Session } from './sessions.ts';
export type { Role, User } from './users.ts';

/** Hourly upkeep: expired sessions, ended rate-limit windows and activity older than the retention period go. */
export function startAccountsMaintenance(accounts: Accounts, config: Pick<Config, 'activityRetentionDays'>, everyMs = 3_600_000): () => void {
  const run = () => {
    accounts.sessions.pruneExpired().catch(() => {});
    accounts.activity.prune(config.activityRetentionDays).catch(() => {});
    accounts.limits.prune().catch(() => {});
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  accounts.deferredIndexes.start();
  return () => {
    clearInterval(timer);
    accounts.deferredIndexes.stop();
    accounts.popularity.stop();
  };
}
