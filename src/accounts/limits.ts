// Fixed-window counters in the primary database, shared by every worker process: the per-IP
// limit on login/register (a store for @fastify/rate-limit) and failed logins per account.
// A hit is one upsert through the write queue, so it rides a group commit with other writes.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { type Db, statement, type WriteQueue } from '../db/index.ts';

export interface WindowCount {
  count: number;
  resetAt: number;
}

export class SharedCounters {
  constructor(
    private readonly db: Db,
    private readonly writes: WriteQueue,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit on `key` in its current window (a new window starts once the old one ends). */
  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count] = await this.hitAll([key], windowMs);
    return count as WindowCount;
  }

  /** Counts one hit on each key, in one transaction (so concurrent callers see distinct counts). */
  hitAll(keys: readonly string[], windowMs: number): Promise<WindowCount[]> {
    const now = this.now();
    return this.writes.run((w) => {
      const upsert = statement(
        w,
        `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @resetAt)
         ON CONFLICT(key) DO UPDATE SET
           hits = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
           reset_at = CASE WHEN reset_at <= @now THEN @resetAt ELSE reset_at END
         RETURNING hits AS count, reset_at AS resetAt`,
      );
      return keys.map((key) => upsert.get({ key, now, resetAt: now + windowMs }) as WindowCount);
    });
  }

  /** Clears `clearKey` and takes one hit back from `refundKey`, in one transaction. */
  settle(clearKey: string, refundKey: string): Promise<void> {
    return this.writes.run((w) => {
      statement(w, 'DELETE FROM rate_limits WHERE key = ?').run(clearKey);
      statement(w, 'UPDATE rate_limits SET hits = max(hits - 1, 0) WHERE key = ?').run(refundKey);
    });
  }

  /** The current window's count, or null when there is none (or it has ended). */
  peek(key: string): WindowCount | null {
    const row = statement(this.db, 'SELECT hits AS count, reset_at AS resetAt FROM rate_limits WHERE key = ?').get(key) as WindowCount | undefined;
    return row && row.resetAt > this.now() ? row : null;
  }

  /** Deletes ended windows; returns how many. */
  prune(): Promise<number> {
    const now = this.now();
    return this.writes.run((w) => statement(w, 'DELETE FROM rate_limits WHERE reset_at <= ?').run(now).changes);
  }

  /** A @fastify/rate-limit store over these counters; each route counts on its own. */
  rateLimitStore(): FastifyRateLimitStoreCtor {
    const counters = this;
    const now = this.now;
    const storeFor = (scope: string): FastifyRateLimitStore => ({
      incr(key, callback, timeWindow) {
        counters.hit(`ip:${scope}:${key}`, timeWindow).then(
          (w) => callback(null, { current: w.count, ttl: Math.max(0, w.resetAt - now()) }),
          (err: Error) => callback(err),
        );
      },
      child(params) {
        // The plugin passes its merged route settings, with the route itself under routeInfo.
        const route = (params as { routeInfo?: { method?: unknown; url?: string } }).routeInfo ?? params;
        return storeFor(`${String(route.method)}:${route.url}`);
      },
    });
    return class {
      constructor() {
        // biome-ignore lint/correctness/noConstructorReturn: the plugin wants a constructor; the store is a closure.
        return storeFor('global');
      }
    } as unknown as FastifyRateLimitStoreCtor;
  }
}
