// Accounts, wired: users, durable sessions, the login throttle and the shared rate-limit
// counters, all writing through the process's one group-commit queue. (Orders, plays and the
// activity log are the store's: src/store/index.ts.)
import type { CacheLayer } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { Db, WriteQueue } from '../db/index.ts';
import type { DomainEvents } from '../events/index.ts';
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
}

export function createAccounts(db: Db, writes: WriteQueue, cache: CacheLayer, events: DomainEvents, config: Config): Accounts {
  const sessions = new SessionService(db, writes, cache.cache, {
    idleSeconds: config.sessionIdleSeconds,
    // Other workers and processes hold cached copies; a revoked session must stop working in
    // all of them (the cache bus drops them in this cluster, the event carrier elsewhere).
    broadcastRevoke: (ids) => events.emit({ type: 'session.revoked', sessionIds: ids }),
  });
  const limits = new SharedCounters(db, writes);
  return {
    limits,
    users: new UserService(db, writes),
    sessions,
    throttle: new LoginThrottle(limits, config.loginFailuresPerAccount),
  };
}

export type { Session } from './sessions.ts';
export { customerIdOf, linkCustomer, type Role, type User, UserService } from './users.ts';

/** Hourly upkeep: expired sessions and ended rate-limit windows go. */
export function startAccountsMaintenance(accounts: Accounts, everyMs = 3_600_000): () => void {
  const timer = setInterval(() => {
    accounts.sessions.pruneExpired().catch(() => {});
    accounts.limits.prune().catch(() => {});
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
export { MAX_PASSWORD, normaliseEmail } from './users.ts';
