import { ProblemError } from '@dja/http';
import type { Database } from '../database';
import { Throttle } from '../throttling/throttle';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per account and per client address over a sliding window, shared by
 * every replica (see Throttle). A successful login clears the account's count.
 */
export class LoginThrottle {
  private readonly account: Throttle;
  private readonly address: Throttle;

  constructor(db: Database, limits: ThrottleLimits) {
    const { perAccount, perAddress, windowSeconds } = limits;
    this.account = new Throttle(db, { name: 'email', limit: perAccount, windowSeconds });
    this.address = new Throttle(db, { name: 'ip', limit: perAddress, windowSeconds });
  }

  /** Throws 429 with Retry-After when the account or the address has failed too often. */
  async check(email: string, address: string, now: Date): Promise<void> {
    const waits = await Promise.all([
      this.account.secondsUntilAllowed(email, now),
      this.address.secondsUntilAllowed(address, now),
    ]);
    const wait = Math.max(...waits);
    if (wait > 0) {
      throw new ProblemError(429, {
        code: 'too_many_login_attempts',
        title: 'Too many failed logins',
        detail: 'Too many failed logins for this account or address. Try again later.',
        headers: { 'Retry-After': String(wait) },
      });
    }
  }

  async recordFailure(email: string, address: string, now: Date): Promise<void> {
    await Promise.all([this.account.record(email, now), this.address.record(address, now)]);
  }

  /** A successful login clears the account's count (not the address's). */
  async reset(email: string): Promise<void> {
    await this.account.clear(email);
  }
}
