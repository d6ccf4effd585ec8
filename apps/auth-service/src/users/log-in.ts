import { ProblemError } from '@dja/http';
import { inSpan, type Span } from '@dja/telemetry';
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
 *
 * Traced as `auth.login` with the outcome only: never the email or the password.
 */
export function logIn(
  deps: Dependencies,
  credentials: { email: string; password: string },
  clientAddress: string,
): Promise<LoggedIn> {
  return inSpan('auth.login', {}, (span) =>
    checkAndStartSession(deps, credentials, clientAddress, span),
  );
}

async function checkAndStartSession(
  deps: Dependencies,
  { email, password }: { email: string; password: string },
  clientAddress: string,
  span: Span,
): Promise<LoggedIn> {
  const { db, clock, loginThrottle, authMetrics } = deps;
  const refused = (reason: 'throttled' | 'invalid_credentials' | 'suspended') => {
    authMetrics.failedLogins.inc({ reason });
    span.setAttributes({ 'auth.outcome': 'refused', 'auth.login.refusal': reason });
  };
  const now = clock();
  try {
    await loginThrottle.check(email, clientAddress, now);
  } catch (error) {
    refused('throttled');
    authMetrics.throttled.inc({ throttle: 'login' });
    throw error;
  }

  const user = await db.user.findUnique({ where: { email } });
  const passwordMatches = await deps.passwords.verify(user?.passwordHash, password);
  if (!user || !passwordMatches) {
    await loginThrottle.recordFailure(email, clientAddress, now);
    refused('invalid_credentials');
    throw invalidCredentials();
  }
  if (user.suspendedAt) {
    refused('suspended');
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
  span.setAttribute('auth.outcome', 'issued');
  return { access, refreshToken, scopes: subject.scopes };
}
