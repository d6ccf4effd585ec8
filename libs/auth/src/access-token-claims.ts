import { type CheckedClaim, InvalidTokenError } from './errors';

/** Who is calling, as established by a verified access token. Frozen: it may be shared. */
export interface AccessTokenPrincipal {
  /** `sub`: the user id, or the client id for service (client_credentials) tokens. */
  readonly subject: string;
  /** `sid`: the login session; absent on service tokens. */
  readonly sessionId?: string;
  /** `client_id`: the OAuth client the token was issued to, when the issuer says. */
  readonly clientId?: string;
  /** `scope`, split on spaces; empty when the token has no scope. */
  readonly scopes: readonly string[];
  /** `roles`; empty when absent. */
  readonly roles: readonly string[];
  /** `jti`. */
  readonly tokenId: string;
  /** `iat`, epoch seconds. */
  readonly issuedAt: number;
  /** `exp`, epoch seconds. */
  readonly expiresAt: number;
  /** `aud`, always as a list. */
  readonly audience: readonly string[];
}

export interface ClaimExpectations {
  issuer: string;
  audience: string;
  toleranceSeconds: number;
  /** When set, tokens whose `exp - iat` is longer are refused. */
  maxLifetimeSeconds: number | undefined;
}

/**
 * Checks the claims of a token whose signature is already verified and turns them into a
 * principal. Required per RFC 9068 §2.2 (except `client_id`, which our issuer may omit): iss,
 * exp, aud, sub, iat, jti. Types are checked strictly: `"exp": "1700000000"` is refused, not
 * coerced. `now` is in epoch seconds.
 */
export function principalFromClaims(
  payload: unknown,
  expected: ClaimExpectations,
  now: number,
): AccessTokenPrincipal {
  if (!isPlainObject(payload)) {
    throw new InvalidTokenError('ERR_TOKEN_MALFORMED', 'token payload is not a JSON object');
  }
  const tolerance = expected.toleranceSeconds;

  if (payload.iss !== expected.issuer) throw claimError('iss', 'unexpected issuer');
  const audience = audienceList(payload.aud);
  if (!audience.includes(expected.audience)) throw claimError('aud', 'not meant for this service');

  const expiresAt = numericDate(payload, 'exp');
  const issuedAt = numericDate(payload, 'iat');
  const notBefore = payload.nbf === undefined ? undefined : numericDate(payload, 'nbf');
  if (expiresAt === undefined) throw claimError('exp', 'missing');
  if (issuedAt === undefined) throw claimError('iat', 'missing');

  // Same boundaries as jose: expired once now - tolerance reaches exp.
  if (expiresAt <= now - tolerance) {
    throw new InvalidTokenError('ERR_TOKEN_EXPIRED', 'token expired', 'exp');
  }
  if (notBefore !== undefined && notBefore > now + tolerance) {
    throw new InvalidTokenError('ERR_TOKEN_NOT_YET_VALID', 'token not valid before nbf', 'nbf');
  }
  // A token "issued in the future" comes from a skewed issuer clock or a forged iat meant to
  // slip past revoked-before checks; either way it is refused.
  if (issuedAt > now + tolerance) {
    throw new InvalidTokenError('ERR_TOKEN_NOT_YET_VALID', 'token issued in the future', 'iat');
  }
  if (expected.maxLifetimeSeconds !== undefined) {
    if (expiresAt - issuedAt > expected.maxLifetimeSeconds) {
      throw claimError('exp', 'lifetime longer than maxLifetimeSeconds');
    }
  }

  const subject = requiredString(payload, 'sub');
  const tokenId = requiredString(payload, 'jti');
  const sessionId = optionalString(payload, 'sid');
  const clientId = optionalString(payload, 'client_id');
  const scope = optionalString(payload, 'scope');
  const roles = stringList(payload, 'roles');

  // Assigned rather than spread in: spreading builds two throwaway objects per token.
  const principal: { -readonly [K in keyof AccessTokenPrincipal]: AccessTokenPrincipal[K] } = {
    subject,
    tokenId,
    issuedAt,
    expiresAt,
    audience: Object.freeze(audience),
    scopes: Object.freeze(scope ? scope.split(' ').filter(Boolean) : []),
    roles: Object.freeze(roles),
  };
  if (sessionId !== undefined) principal.sessionId = sessionId;
  if (clientId !== undefined) principal.clientId = clientId;
  return Object.freeze(principal);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function claimError(claim: CheckedClaim, reason: string): InvalidTokenError {
  return new InvalidTokenError('ERR_TOKEN_CLAIM', `"${claim}" claim: ${reason}`, claim);
}

function audienceList(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string')) return [...aud];
  throw claimError('aud', 'missing or not a string or list of strings');
}

function numericDate(payload: Record<string, unknown>, claim: 'exp' | 'iat' | 'nbf') {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw claimError(claim, 'not a NumericDate');
  }
  return value;
}

function requiredString(payload: Record<string, unknown>, claim: 'sub' | 'jti'): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value === '') throw claimError(claim, 'missing or empty');
  return value;
}

function optionalString(
  payload: Record<string, unknown>,
  claim: 'sid' | 'client_id' | 'scope',
): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw claimError(claim, 'not a string');
  // An empty scope means "no scopes"; an empty id would match an empty revocation entry.
  if (value === '' && claim !== 'scope') throw claimError(claim, 'empty');
  return value;
}

function stringList(payload: Record<string, unknown>, claim: 'roles'): string[] {
  const value = payload[claim];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw claimError(claim, 'not a list of strings');
  }
  return [...value];
}
