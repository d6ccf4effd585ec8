import { addSeconds } from '../clock';
import type { Database } from '../database';

export interface ThrottleRule {
  /** Prefix of the keys in `throttle_events`, e.g. `register-ip`. */
  name: string;
  /** Events allowed per subject within the window. */
  limit: number;
  /** Sliding window, seconds. */
  windowSeconds: number;
}

// Takes for one key are serialised on a transaction-scoped advisory lock, so that replicas
// racing on the same subject cannot together let more than the limit through.
const LOCK_KEY = 'SELECT pg_advisory_xact_lock(hashtext($1))';

/**
 * A sliding-window counter per subject (an address, an account, a client id), kept in
 * PostgreSQL so that every replica sees the same counts. Each row carries the end of its window,
 * after which it counts for nothing and `purgeExpired` deletes it. A subject that reached its
 * limit gets no more rows, so it holds at most `limit` of them.
 */
export class Throttle {
  constructor(
    private readonly db: Database,
    readonly rule: ThrottleRule,
  ) {}

  /** Seconds until `subject` may act again; 0 when it may now. */
  async secondsUntilAllowed(subject: string, now: Date): Promise<number> {
    return secondsUntilAllowed(this.db, this.key(subject), this.rule, now);
  }

  /** Counts one event of `subject` (a failure, for throttles that count failures). */
  async record(subject: string, now: Date): Promise<void> {
    await this.db.throttleEvent.create({ data: this.event(subject, now) });
  }

  /**
   * Counts one event of `subject` if it is within its limit, atomically across replicas: 0 when
   * counted, else the seconds to wait (and nothing is counted).
   */
  async take(subject: string, now: Date): Promise<number> {
    const key = this.key(subject);
    return this.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(LOCK_KEY, key);
      const wait = await secondsUntilAllowed(tx, key, this.rule, now);
      if (wait === 0) await tx.throttleEvent.create({ data: this.event(subject, now) });
      return wait;
    });
  }

  /** Forgets `subject`'s events, e.g. an account's failed logins once it logs in. */
  async clear(subject: string): Promise<void> {
    await this.db.throttleEvent.deleteMany({ where: { key: this.key(subject) } });
  }

  private key(subject: string): string {
    return `${this.rule.name}:${subject}`;
  }

  private event(subject: string, now: Date) {
    return {
      key: this.key(subject),
      occurredAt: now,
      expiresAt: addSeconds(now, this.rule.windowSeconds),
    };
  }
}

type Reader = Pick<Database, 'throttleEvent'>;

async function secondsUntilAllowed(
  db: Reader,
  key: string,
  { limit, windowSeconds }: ThrottleRule,
  now: Date,
): Promise<number> {
  const recent = await db.throttleEvent.findMany({
    where: { key, occurredAt: { gt: addSeconds(now, -windowSeconds) } },
    orderBy: { occurredAt: 'desc' },
    take: limit,
    select: { occurredAt: true },
  });
  if (recent.length < limit) return 0;
  // Allowed again once the limit-th most recent event leaves the window.
  const freedAt = addSeconds(recent[limit - 1]!.occurredAt, windowSeconds);
  return Math.max(1, Math.ceil((freedAt.getTime() - now.getTime()) / 1000));
}

/**
 * Deletes the events whose window has passed, whichever throttle wrote them; returns how many.
 * In batches, so that a large backlog never holds locks for long.
 */
export async function purgeExpiredThrottleEvents(db: Database, now: Date): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM throttle_events WHERE id IN (
        SELECT id FROM throttle_events WHERE expires_at <= ${now} LIMIT ${PURGE_BATCH}
      )`;
    purged += deleted;
    if (deleted < PURGE_BATCH) return purged;
  }
}

const PURGE_BATCH = 5000;
