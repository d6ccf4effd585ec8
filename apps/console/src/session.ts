/**
 * The tokens, held in this module's memory and nowhere else: not localStorage, not
 * sessionStorage, not a cookie. A reload logs out. docs/console.md explains what a production
 * browser client should do instead.
 */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** The refresh token this one replaced, kept only to demonstrate reuse detection. */
  previousRefreshToken: string | null;
  /** Set once the session has ended; the access token is kept to show it is refused. */
  endedBecause: string | null;
}

let current: Session | null = null;

export function session(): Session | null {
  return current;
}

export function startSession(accessToken: string, refreshToken: string): Session {
  current = { accessToken, refreshToken, previousRefreshToken: null, endedBecause: null };
  return current;
}

export function rotateTokens(accessToken: string, refreshToken: string): Session {
  if (!current) throw new Error('no session');
  current = {
    ...current,
    accessToken,
    refreshToken,
    previousRefreshToken: current.refreshToken,
  };
  return current;
}

export function endSession(reason: string): void {
  if (current) current = { ...current, endedBecause: reason };
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

export function isTokenResponse(body: unknown): body is TokenResponse {
  const record = body as Partial<TokenResponse> | null;
  return typeof record?.access_token === 'string' && typeof record.refresh_token === 'string';
}
