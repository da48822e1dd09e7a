// Failed-login brakes, counted in the primary database so every worker process sees the same
// numbers (per-IP request limits are @fastify/rate-limit's job, over the same counters).
//
// An attempt is counted BEFORE the password is checked, in one atomic write: counting after
// the ~50 ms hash let 30 concurrent guesses all through (30 × 401, no 429), and a right
// password at position 17 of 20 concurrent guesses got in. Two windows per attempt:
// - account + client IP: `limit` attempts (default 5) per 15 minutes. A guesser locks only
//   their own address out of the account; the owner elsewhere still logs in.
// - the account from anywhere: `limit × 10` per 15 minutes, the brake on guessing spread
//   over many addresses (which then does lock the account for the rest of the window).
// A successful login clears its address's window and gives back its count on the account.
import type { SharedCounters } from './limits.ts';

/** Attempts allowed on one account from all addresses, as a multiple of the per-address limit. */
export const ACCOUNT_WIDE_FACTOR = 10;

export class LoginThrottle {
  constructor(
    private readonly counters: SharedCounters,
    private readonly limit: number,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private keys = (account: string, ip: string) => ({ pair: `login:${account}:${ip}`, account: `login:${account}` });

  /** Counts an attempt on `account` from `ip`; resolves with the seconds to wait (0: go ahead). */
  async attempt(account: string, ip: string): Promise<number> {
    const keys = this.keys(account, ip);
    const [pair, whole] = await this.counters.hitAll([keys.pair, keys.account], this.windowMs);
    const wait = (resetAt: number) => Math.max(1, Math.ceil((resetAt - this.now()) / 1000));
    if (pair && pair.count > this.limit) return wait(pair.resetAt);
    if (whole && whole.count > this.limit * ACCOUNT_WIDE_FACTOR) return wait(whole.resetAt);
    return 0;
  }

  /** The password was right: this address starts over, and the success does not count on the account. */
  async succeeded(account: string, ip: string): Promise<void> {
    const keys = this.keys(account, ip);
    await this.counters.settle(keys.pair, keys.account);
  }
}
