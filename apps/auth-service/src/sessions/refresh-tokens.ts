import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { addSeconds } from '../clock';
import type { Database, Transaction } from '../database';
import type { User } from '../generated/prisma/client';
import type { EventEnvelope } from '@dja/messaging';
import { appendEvent } from '../outbox/outbox';

export interface RefreshTokenPolicy {
  /** An unused refresh token stops working after this many seconds. */
  idleTtlSeconds: number;
  /** A session ends this many seconds after login, however active. */
  absoluteTtlSeconds: number;
}

/**
 * 256 random bits. A token this strong cannot be guessed or brute-forced from its hash, so a
 * fast SHA-256 is the right way to store it; argon2's cost exists to protect low-entropy
 * passwords and would only slow every refresh down.
 */
function newRefreshToken(): { token: string; tokenHash: Uint8Array<ArrayBuffer> } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashRefreshToken(token) };
}

function hashRefreshToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token).digest());
}

/** Starts a session for a user who just logged in; resolves with its id and refresh token. */
export async function startSession(
  db: Database,
  { userId, now, accessTokenExpiresAt }: { userId: string; now: Date; accessTokenExpiresAt: Date },
  policy: RefreshTokenPolicy,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = randomUUID();
  const expiresAt = addSeconds(now, policy.absoluteTtlSeconds);
  const { token, tokenHash } = newRefreshToken();
  await db.session.create({
    data: {
      id: sessionId,
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      accessTokenExpiresAt,
      refreshTokens: {
        create: {
          id: randomUUID(),
          tokenHash,
          createdAt: now,
          expiresAt: earlier(addSeconds(now, policy.idleTtlSeconds), expiresAt),
        },
      },
    },
  });
  return { sessionId, refreshToken: token };
}

export type RotationOutcome =
  | { kind: 'rotated'; sessionId: string; user: User; refreshToken: string }
  /** Unknown, expired, or of a revoked session or suspended user. */
  | { kind: 'rejected' }
  /** A spent token came back: the session has just been revoked (RFC 9700 §4.14.2). */
  | { kind: 'reused'; sessionId: string };

/**
 * Exchanges a refresh token for a new one. The presented token is spent with a conditional
 * update (`WHERE spent_at IS NULL`), so of two concurrent uses at most one wins; the other is
 * treated as reuse, exactly like a later replay: it revokes the whole session, since one of the
 * two callers holds a stolen copy and we cannot tell which.
 */
export async function rotateRefreshToken(
  db: Database,
  presented: string,
  { now, accessTokenExpiresAt }: { now: Date; accessTokenExpiresAt: Date },
  policy: RefreshTokenPolicy,
): Promise<RotationOutcome> {
  return db.$transaction(async (tx) => {
    const stored = await tx.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(presented) },
      include: { session: { include: { user: true } } },
    });
    if (!stored) return { kind: 'rejected' };
    const { session } = stored;
    if (session.revokedAt) return { kind: 'rejected' };

    const spent = await tx.refreshToken.updateMany({
      where: { id: stored.id, spentAt: null },
      data: { spentAt: now },
    });
    if (spent.count === 0) {
      await revokeSession(tx, session.id, 'refresh_token_reuse', now);
      return { kind: 'reused', sessionId: session.id };
    }
    if (stored.expiresAt <= now || session.expiresAt <= now || session.user.suspendedAt) {
      return { kind: 'rejected' };
    }

    const { token, tokenHash } = newRefreshToken();
    await tx.refreshToken.create({
      data: {
        id: randomUUID(),
        sessionId: session.id,
        tokenHash,
        createdAt: now,
        expiresAt: earlier(addSeconds(now, policy.idleTtlSeconds), session.expiresAt),
      },
    });
    await tx.session.update({
      where: { id: session.id },
      data: { lastUsedAt: now, accessTokenExpiresAt },
    });
    return { kind: 'rotated', sessionId: session.id, user: session.user, refreshToken: token };
  });
}

/** The session a refresh token belongs to, spent or not; for logout. */
export async function sessionOfRefreshToken(db: Database, presented: string) {
  const stored = await db.refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(presented) },
    select: { sessionId: true },
  });
  return stored?.sessionId;
}

/**
 * Ends a session: its refresh tokens stop working at once, and `session.revoked` tells the
 * resource services to refuse its access tokens until the last one expires. Returns false when
 * it was already revoked (nothing emitted twice).
 */
export async function revokeSession(
  tx: Transaction,
  sessionId: string,
  reason: EventEnvelope<'session.revoked'>['data']['reason'],
  now: Date,
): Promise<boolean> {
  const revoked = await tx.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: now, revokeReason: reason },
  });
  if (revoked.count === 0) return false;
  const session = await tx.session.findUniqueOrThrow({ where: { id: sessionId } });
  await appendEvent(
    tx,
    'session.revoked',
    {
      sessionId: session.id,
      userId: session.userId,
      reason,
      expiresAt: session.accessTokenExpiresAt.toISOString(),
    },
    now,
  );
  return true;
}

const earlier = (a: Date, b: Date) => (a < b ? a : b);
