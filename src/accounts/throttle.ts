// Failed logins per account: after `limit` failures in the window the account answers 429
// until the window passes, whichever IP the attempts come from (per-IP limits are
// @fastify/rate-limit's job). Per process: with N workers an attacker gets at most N × limit.
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the account may try again, or 0. */
  retryAfter(account: string): number {
    const f = this.failures.get(account);
    if (!f) return 0;
    if (f.resetAt <= this.now()) {
      this.failures.delete(account);
      return 0;
    }
    return f.count >= this.limit ? Math.ceil((f.resetAt - this.now()) / 1000) : 0;
  }

  fail(account: string): void {
    const f = this.failures.get(account);
    if (!f || f.resetAt <= this.now()) this.failures.set(account, { count: 1, resetAt: this.now() + this.windowMs });
    else f.count++;
    // Bounded: an attacker spraying random emails must not grow this without end.
    if (this.failures.size > 100_000) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  succeed(account: string): void {
    this.failures.delete(account);
  }
}
