import type { RevocationList, RevocationSnapshot, RevocationSubject } from '@dja/auth';
import { type Clock, epochSeconds } from '../clock';
import type { Database } from '../database';

/**
 * Revocation as the auth service itself sees it, straight from its database: a token is refused
 * once its session is revoked, or its user was suspended after it was issued.
 */
export class DatabaseRevocationList implements RevocationList {
  constructor(private readonly db: Database) {}

  async isRevoked(token: RevocationSubject): Promise<boolean> {
    // Service tokens (client_credentials) have no session and no user row.
    if (token.sessionId === undefined) return false;
    const session = await this.db.session.findUnique({
      where: { id: token.sessionId },
      select: { revokedAt: true, userId: true, user: { select: { revokedBefore: true } } },
    });
    if (!session || session.revokedAt !== null || session.userId !== token.subject) return true;
    const { revokedBefore } = session.user;
    return revokedBefore !== null && token.issuedAt <= epochSeconds(revokedBefore);
  }
}

/**
 * The revocations still in force, in @dja/auth's snapshot format (epoch seconds), for a
 * resource service replica that starts and must catch up before it trusts tokens:
 * revoked sessions until their last access token expires, suspended users likewise, and
 * every signing key ever withdrawn.
 */
export async function revocationsInForce(db: Database, clock: Clock): Promise<RevocationSnapshot> {
  const now = clock();
  const [sessions, users, withdrawnKeys] = await Promise.all([
    db.session.findMany({
      where: { revokedAt: { not: null }, accessTokenExpiresAt: { gt: now } },
      select: { id: true, accessTokenExpiresAt: true },
    }),
    db.user.findMany({
      where: { revokedBefore: { not: null }, revocationExpiresAt: { gt: now } },
      select: { id: true, revokedBefore: true, revocationExpiresAt: true },
    }),
    // Withdrawn keys never leave the snapshot: a stale JWKS could offer them at any time.
    db.signingKey.findMany({
      where: { withdrawnAt: { not: null } },
      select: { kid: true, withdrawnAt: true },
    }),
  ]);
  return {
    version: 1,
    sessions: sessions.map((session) => ({
      sessionId: session.id,
      expiresAt: epochSeconds(session.accessTokenExpiresAt),
    })),
    users: users.map((user) => ({
      subject: user.id,
      revokedBefore: epochSeconds(user.revokedBefore!),
      expiresAt: epochSeconds(user.revocationExpiresAt!),
    })),
    tokens: [],
    withdrawnKeys: withdrawnKeys.map((key) => ({
      kid: key.kid,
      withdrawnAt: epochSeconds(key.withdrawnAt!),
    })),
  };
}
