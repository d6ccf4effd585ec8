import { ProblemError } from '@dja/http';
import type { Dependencies } from '../dependencies';
import { startSession } from '../sessions/refresh-tokens';
import type { IssuedAccessToken } from '../tokens/issue-access-token';
import { userTokenSubject } from '../tokens/user-token';

const invalidCredentials = () =>
  new ProblemError(401, {
    code: 'invalid_credentials',
    title: 'Invalid credentials',
    detail: 'The email or password is incorrect.',
  });

// Said only to a caller who gave the right password, so it reveals nothing to a guesser.
const accountSuspended = () =>
  new ProblemError(403, {
    code: 'account_suspended',
    title: 'Account suspended',
    detail: 'This account is suspended.',
  });

export interface LoggedIn {
  access: IssuedAccessToken;
  refreshToken: string;
  scopes: readonly string[];
}

/**
 * Checks an email and password and starts a session. An unknown email and a wrong password fail
 * identically, after the same argon2 work, and both count towards throttling.
 */
export async function logIn(
  deps: Dependencies,
  { email, password }: { email: string; password: string },
  clientAddress: string,
): Promise<LoggedIn> {
  const { db, clock, loginThrottle, authMetrics } = deps;
  const now = clock();
  try {
    await loginThrottle.check(email, clientAddress, now);
  } catch (error) {
    authMetrics.failedLogins.inc({ reason: 'throttled' });
    authMetrics.throttled.inc({ throttle: 'login' });
    throw error;
  }

  const user = await db.user.findUnique({ where: { email } });
  const passwordMatches = await deps.passwords.verify(user?.passwordHash, password);
  if (!user || !passwordMatches) {
    await loginThrottle.recordFailure(email, clientAddress, now);
    authMetrics.failedLogins.inc({ reason: 'invalid_credentials' });
    throw invalidCredentials();
  }
  if (user.suspendedAt) {
    authMetrics.failedLogins.inc({ reason: 'suspended' });
    throw accountSuspended();
  }
  await loginThrottle.reset(email);

  const { sessionId, refreshToken } = await startSession(
    db,
    { userId: user.id, now, accessTokenExpiresAt: deps.tokens.expiryFor(now) },
    deps.refreshTokenPolicy,
  );
  const subject = userTokenSubject(user, sessionId, deps.userTokenPolicy);
  const access = await deps.tokens.issue(subject, now);
  authMetrics.tokensIssued.inc({ grant_type: 'password' });
  return { access, refreshToken, scopes: subject.scopes };
}
