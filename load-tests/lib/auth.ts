import { b64decode } from 'k6/encoding';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { call, jsonBody } from './client.ts';
import { expectStatus, expectThat } from './checks.ts';
import { REFRESH_MARGIN, USER_PASSWORD } from './config.ts';
import { refreshes, tokensByKid } from './metrics.ts';

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** A logged-in user as a client holds it: tokens and when the access token expires. */
export interface Session {
  email: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** An address no other VU, iteration or earlier run uses. */
export function uniqueEmail(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${exec.vu.idInTest}-${Date.now()}-${random}@load.example.com`;
}

export function register(email: string, password = USER_PASSWORD): boolean {
  const response = call('POST', 'auth', 'POST /auth/register', '/auth/register', {
    json: { email, password, name: email.split('@')[0] },
  });
  return expectStatus(response, 201, 'register');
}

export function login(email: string, password = USER_PASSWORD): Session | undefined {
  const response = call('POST', 'auth', 'POST /auth/login', '/auth/login', {
    json: { email, password },
  });
  const tokens = jsonBody<TokenResponse>(response);
  if (!expectStatus(response, 200, 'login') || !tokens) return undefined;
  return toSession(email, tokens);
}

/** Spends the refresh token for a new pair (the old refresh token is dead afterwards). */
export function refresh(session: Session): boolean {
  const response = call('POST', 'auth', 'POST /auth/token', '/auth/token', {
    form: { grant_type: 'refresh_token', refresh_token: session.refreshToken },
  });
  const tokens = jsonBody<TokenResponse>(response);
  if (!expectStatus(response, 200, 'refresh') || !tokens) return false;
  Object.assign(session, toSession(session.email, tokens));
  refreshes.add(1);
  return true;
}

/** Refreshes when less than REFRESH_MARGIN seconds of the access token are left. */
export function keepFresh(session: Session): void {
  if (session.expiresAt - Date.now() < REFRESH_MARGIN * 1000) refresh(session);
}

/** POST /auth/logout with the access token: the session ends everywhere. */
export function logout(session: Session): boolean {
  const response = call('POST', 'auth', 'POST /auth/logout', '/auth/logout', {
    token: session.accessToken,
    json: {},
  });
  return expectStatus(response, 204, 'logout');
}

/**
 * A new user, registered and logged in, whose profile exists (the profile service creates it
 * from the user.registered event, so it can lag the registration by a few milliseconds).
 */
export function newUser(prefix: string): Session | undefined {
  const email = uniqueEmail(prefix);
  if (!register(email)) return undefined;
  const session = login(email);
  if (!session) return undefined;
  let status = 0;
  for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
    if (attempt > 0) sleep(0.1);
    status = call('GET', 'profile', 'GET /profile/me', '/profile/me', {
      token: session.accessToken,
      expected: [404],
    }).status;
  }
  expectThat(status === 200, 'profile created for a new user');
  return session;
}

/** The `kid` in a JWS header. */
export function keyIdOf(token: string): string {
  const header = JSON.parse(b64decode(token.split('.')[0] ?? '', 'rawurl', 's')) as {
    kid?: string;
  };
  return header.kid ?? 'none';
}

function toSession(email: string, tokens: TokenResponse): Session {
  tokensByKid.add(1, { kid: keyIdOf(tokens.access_token) });
  return {
    email,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
  };
}
