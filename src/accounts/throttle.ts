// Failed logins per account: after `limit` failures in the window the account answers 429
// until the window passes, whichever IP or worker process the attempts come from (per-IP
// limits are @fastify/rate-limit's job, over the same shared counters).
import type { SharedCounters } from './limits.ts';

export class LoginThrottle {
  constructor(
    private readonly counters: SharedCounters,
    private readonly limit: number,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key = (account: string) => `login-failures:${account}`;

  /** Seconds until the account may try again, or 0. */
  retryAfter(account: string): number {
    const w = this.counters.peek(this.key(account));
    return w && w.count >= this.limit ? Math.ceil((w.resetAt - this.now()) / 1000) : 0;
  }

  async fail(account: string): Promise<void> {
    await this.counters.hit(this.key(account), this.windowMs);
  }

  async succeed(account: string): Promise<void> {
    // Only an account with failures has a row; skip the write otherwise.
    if (this.counters.peek(this.key(account))) await this.counters.clear(this.key(account));
  }
}
