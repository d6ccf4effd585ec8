import { ProblemError } from '@dja/http';
import { addSeconds } from '../clock';
import type { Database } from '../database';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per account and per client address over a sliding window, in PostgreSQL
 * so that every replica sees the same counts. Only failures are stored, and none once a key is
 * throttled, so a key holds at most its limit of rows.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Database,
    private readonly limits: ThrottleLimits,
  ) {}

  /** Throws 429 with Retry-After when the account or the address has failed too often. */
  async check(email: string, address: string, now: Date): Promise<void> {
    const waits = await Promise.all([
      this.secondsUntilAllowed(`email:${email}`, this.limits.perAccount, now),
      this.secondsUntilAllowed(`ip:${address}`, this.limits.perAddress, now),
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
    const keys = [`email:${email}`, `ip:${address}`];
    await this.db.$transaction([
      this.db.loginFailure.deleteMany({
        where: {
          key: { in: keys },
          occurredAt: { lte: addSeconds(now, -this.limits.windowSeconds) },
        },
      }),
      this.db.loginFailure.createMany({ data: keys.map((key) => ({ key, occurredAt: now })) }),
    ]);
  }

  /** A successful login clears the account's count (not the address's). */
  async reset(email: string): Promise<void> {
    await this.db.loginFailure.deleteMany({ where: { key: `email:${email}` } });
  }

  private async secondsUntilAllowed(key: string, limit: number, now: Date): Promise<number> {
    const recent = await this.db.loginFailure.findMany({
      where: { key, occurredAt: { gt: addSeconds(now, -this.limits.windowSeconds) } },
      orderBy: { occurredAt: 'desc' },
      take: limit,
      select: { occurredAt: true },
    });
    if (recent.length < limit) return 0;
    // Allowed again once the limit-th most recent failure leaves the window.
    const freedAt = addSeconds(recent[limit - 1]!.occurredAt, this.limits.windowSeconds);
    return Math.max(1, Math.ceil((freedAt.getTime() - now.getTime()) / 1000));
  }
}
