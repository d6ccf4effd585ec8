import { hash, randomBytes, randomUUID } from 'node:crypto';
import { addSeconds } from '../clock';
import type { Database, Transaction } from '../database';
import type { TokenUser } from '../tokens/user-token';
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
  return new Uint8Array(hash('sha256', token, 'buffer'));
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
  | { kind: 'rotated'; sessionId: string; user: TokenUser; refreshToken: string }
  /** Unknown, expired, or of a revoked session or suspended user. */
  | { kind: 'rejected' }
  /** A spent token came back: the session has just been revoked (RFC 9700 §4.14.2). */
  | { kind: 'reused'; sessionId: string };

interface RotationRow {
  session_id: string;
  session_revoked: boolean;
  spent: boolean;
  rotated: boolean;
  user_id: string;
  roles: string[];
  revoked_before: Date | null;
}

/**
 * Exchanges a refresh token for a new one, in one SQL statement (one round trip, no interactive
 * transaction): find the token with its session and user, spend it, insert its successor and
 * touch the session. Spending is a conditional update (`spent_at IS NULL`); PostgreSQL re-checks
 * that condition after waiting for a concurrent spend of the same row, so of two concurrent uses
 * at most one wins. The loser is treated as reuse, exactly like a later replay: it revokes the
 * whole session, since one of the two callers holds a stolen copy and we cannot tell which.
 * The session update likewise re-checks `revoked_at IS NULL`, so a logout that commits while a
 * rotation runs is never overtaken by it.
 */
export async function rotateRefreshToken(
  db: Database,
  presented: string,
  { now, accessTokenExpiresAt }: { now: Date; accessTokenExpiresAt: Date },
  policy: RefreshTokenPolicy,
): Promise<RotationOutcome> {
  const next = newRefreshToken();
  const idleExpiry = addSeconds(now, policy.idleTtlSeconds);
  const [row] = await db.$queryRaw<RotationRow[]>`
    WITH presented AS (
      SELECT t.id, t.session_id, t.expires_at, s.expires_at AS session_expires_at,
             s.revoked_at, u.id AS user_id, u.roles, u.revoked_before, u.suspended_at
        FROM refresh_tokens t
        JOIN sessions s ON s.id = t.session_id
        JOIN users u ON u.id = s.user_id
       WHERE t.token_hash = ${hashRefreshToken(presented)}
    ), spent AS (
      UPDATE refresh_tokens t SET spent_at = ${now}::timestamptz
        FROM presented p
       WHERE t.id = p.id AND t.spent_at IS NULL AND p.revoked_at IS NULL
      RETURNING t.id
    ), issued AS (
      INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
      SELECT ${randomUUID()}::uuid, p.session_id, ${next.tokenHash}, ${now}::timestamptz,
             LEAST(${idleExpiry}::timestamptz, p.session_expires_at)
        FROM presented p
       WHERE EXISTS (SELECT 1 FROM spent) AND p.suspended_at IS NULL
         AND p.expires_at > ${now}::timestamptz AND p.session_expires_at > ${now}::timestamptz
      RETURNING session_id
    ), touched AS (
      UPDATE sessions s
         SET last_used_at = ${now}::timestamptz,
             access_token_expires_at = ${accessTokenExpiresAt}::timestamptz
        FROM issued i
       WHERE s.id = i.session_id AND s.revoked_at IS NULL
      RETURNING s.id
    )
    SELECT p.session_id::text, p.revoked_at IS NOT NULL AS session_revoked,
           EXISTS (SELECT 1 FROM spent) AS spent, EXISTS (SELECT 1 FROM touched) AS rotated,
           p.user_id::text, p.roles, p.revoked_before
      FROM presented p`;

  if (!row || row.session_revoked) return { kind: 'rejected' };
  if (!row.spent) {
    await db.$transaction((tx) => revokeSession(tx, row.session_id, 'refresh_token_reuse', now));
    return { kind: 'reused', sessionId: row.session_id };
  }
  if (!row.rotated) return { kind: 'rejected' };
  const user: TokenUser = {
    id: row.user_id,
    roles: row.roles,
    revokedBefore: row.revoked_before,
  };
  return { kind: 'rotated', sessionId: row.session_id, user, refreshToken: next.token };
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
