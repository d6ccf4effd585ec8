import { conflict, notFound } from '@dja/http';
import { addSeconds } from '../clock';
import type { Database, Transaction } from '../database';
import { appendEvent } from '../outbox/outbox';

export interface SuspensionPolicy {
  /** Every access token issued before the suspension has expired this long after it. */
  accessTokenTtlSeconds: number;
  clockToleranceSeconds: number;
}

/**
 * Suspends a user: refuses their logins and refreshes from now on, revokes all their sessions,
 * and tells the resource services (`user.suspended`) to refuse their tokens issued until now.
 * Suspending a suspended user changes nothing and emits nothing.
 */
export async function suspendUser(
  db: Database,
  { userId, actorId }: { userId: string; actorId: string },
  now: Date,
  policy: SuspensionPolicy,
) {
  if (userId === actorId) throw conflict('Administrators cannot suspend their own account.');
  return db.$transaction(async (tx) => {
    const accessTokenExpiresBefore = addSeconds(
      now,
      policy.accessTokenTtlSeconds + policy.clockToleranceSeconds,
    );
    // Conditional, so that of two concurrent suspensions only one emits the event.
    const { count } = await tx.user.updateMany({
      where: { id: userId, suspendedAt: null },
      data: { suspendedAt: now, revokedBefore: now, revocationExpiresAt: accessTokenExpiresBefore },
    });
    if (count === 0) return existingUser(tx, userId);
    // One user.suspended event covers every session; no session.revoked per session.
    await tx.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: now, revokeReason: 'user_suspended' },
    });
    await appendEvent(
      tx,
      'user.suspended',
      {
        userId,
        suspendedAt: now.toISOString(),
        expiresAt: accessTokenExpiresBefore.toISOString(),
      },
      now,
    );
    return existingUser(tx, userId);
  });
}

/** Lifts a suspension. Tokens issued before it stay revoked until they expire. */
export async function unsuspendUser(db: Database, userId: string, now: Date) {
  return db.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: userId, suspendedAt: { not: null } },
      data: { suspendedAt: null },
    });
    if (count > 0) {
      await appendEvent(tx, 'user.unsuspended', { userId, unsuspendedAt: now.toISOString() }, now);
    }
    return existingUser(tx, userId);
  });
}

async function existingUser(tx: Transaction, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound('No user has this id.');
  return user;
}
