/**
 * One error family for everything that can go wrong while authenticating a request. Each error
 * carries a stable `code` (callers and tests switch on it; messages may change) and knows its
 * HTTP answer through `toResponse()`, which the shared error handler of every service calls.
 *
 * `message` is for logs; clients only ever see the fixed descriptions in RESPONSES below, so
 * nothing taken from the token or from server internals can reach a response.
 */

import { type ErrorResponse, ProblemError, serviceUnavailable } from '@dja/http/errors';

export type AuthErrorCode =
  | 'ERR_TOKEN_MISSING'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_ALGORITHM'
  | 'ERR_TOKEN_HEADER'
  | 'ERR_TOKEN_KEY_NOT_FOUND'
  | 'ERR_TOKEN_KEY_WITHDRAWN'
  | 'ERR_TOKEN_SIGNATURE'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_CLAIM'
  | 'ERR_TOKEN_REVOKED'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_JWKS_UNAVAILABLE';

/** Codes that all answer 401 `error="invalid_token"`: every one but these four. */
export type InvalidTokenCode = Exclude<
  AuthErrorCode,
  'ERR_TOKEN_MISSING' | 'ERR_INVALID_REQUEST' | 'ERR_INSUFFICIENT_SCOPE' | 'ERR_JWKS_UNAVAILABLE'
>;

/** Claims whose name may appear in a client-facing description (never their values). */
export type CheckedClaim =
  'iss' | 'aud' | 'exp' | 'nbf' | 'iat' | 'sub' | 'jti' | 'sid' | 'scope' | 'roles' | 'client_id';

/** An `ErrorResponse` of @dja/http that always carries headers (the challenge or Retry-After). */
export type AuthErrorResponse = ErrorResponse & { headers: Record<string, string> };

export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;
  /**
   * RFC 6750 `realm`, stamped by the middleware that caught the error so the one shared error
   * handler can still emit it without knowing any configuration.
   */
  realm: string | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  toResponse(): AuthErrorResponse {
    return bearerErrorResponse(this);
  }
}

/** No bearer token in the request at all (RFC 6750 §3.1: the challenge carries no error code). */
export class TokenMissingError extends AuthError {
  override readonly name = 'TokenMissingError';
  readonly code = 'ERR_TOKEN_MISSING';

  constructor() {
    super('no bearer token in the request');
  }
}

/** The request carries credentials in a way RFC 6750 forbids (e.g. two methods at once). */
export class InvalidRequestError extends AuthError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'ERR_INVALID_REQUEST';

  /** `description` goes to the client: pass a literal, never request data. */
  constructor(readonly description: string) {
    super(description);
  }
}

/** The token was presented but cannot be accepted; `code` says why. */
export class InvalidTokenError extends AuthError {
  override readonly name = 'InvalidTokenError';

  constructor(
    readonly code: InvalidTokenCode,
    message: string,
    readonly claim?: CheckedClaim,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InsufficientScopeError extends AuthError {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'ERR_INSUFFICIENT_SCOPE';

  constructor(readonly requiredScopes: readonly string[]) {
    super(`token lacks a required scope (${requiredScopes.join(' ')})`);
  }
}

/**
 * No usable verification keys: never loaded, or the auth service has been unreachable for longer
 * than the stale-if-error period. We cannot tell good tokens from bad ones, which is our outage,
 * not the client's fault, so this is a 503 (a 401 would make clients drop valid tokens).
 */
export class JwksUnavailableError extends AuthError {
  override readonly name = 'JwksUnavailableError';
  readonly code = 'ERR_JWKS_UNAVAILABLE';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}

type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** The one mapping from error codes to HTTP answers. */
const RESPONSES: Record<
  AuthErrorCode,
  { status: number; bearerError: BearerErrorCode | undefined; description: string }
> = {
  ERR_TOKEN_MISSING: {
    status: 401,
    bearerError: undefined,
    description: 'A bearer access token is required',
  },
  ERR_INVALID_REQUEST: {
    status: 400,
    bearerError: 'invalid_request',
    description: 'The request is malformed',
  },
  ERR_TOKEN_MALFORMED: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token is malformed',
  },
  ERR_TOKEN_ALGORITHM: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token algorithm is not accepted',
  },
  ERR_TOKEN_HEADER: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token header is not accepted',
  },
  ERR_TOKEN_KEY_NOT_FOUND: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token signing key is not known',
  },
  ERR_TOKEN_KEY_WITHDRAWN: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token signing key has been withdrawn',
  },
  ERR_TOKEN_SIGNATURE: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token signature is invalid',
  },
  ERR_TOKEN_EXPIRED: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token expired',
  },
  ERR_TOKEN_NOT_YET_VALID: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token is not yet valid',
  },
  ERR_TOKEN_CLAIM: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token claims are not accepted',
  },
  ERR_TOKEN_REVOKED: {
    status: 401,
    bearerError: 'invalid_token',
    description: 'The access token has been revoked',
  },
  ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    bearerError: 'insufficient_scope',
    description: 'The access token lacks the required scope',
  },
  ERR_JWKS_UNAVAILABLE: {
    status: 503,
    bearerError: undefined,
    description: 'Access tokens cannot be verified right now',
  },
};

/** Problem titles by status, for the RFC 9457 body that goes with every challenge. */
const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
};

/**
 * The HTTP answer for an auth error: an RFC 6750 §3 `WWW-Authenticate` challenge (what OAuth
 * clients read) with an RFC 9457 problem body (what every other error of the API has). The
 * problem type is the bearer error code, or `unauthorized` when no token was sent; the 503 is a
 * server condition, not a token failure, so it has no challenge. Exported so the middleware also
 * works without the shared handler. The body is @dja/http's one problem type, so it reads like
 * every other error of the API.
 */
export function bearerErrorResponse(error: AuthError): AuthErrorResponse {
  const { status, bearerError, description: fixed } = RESPONSES[error.code];
  let description = fixed;
  if (error instanceof InvalidRequestError) description = error.description;
  if (error instanceof InvalidTokenError && error.code === 'ERR_TOKEN_CLAIM' && error.claim) {
    description = `The access token ${error.claim} claim is not accepted`;
  }

  if (error instanceof JwksUnavailableError) {
    return withHeaders(serviceUnavailable(description, error.retryAfterSeconds).toResponse());
  }

  const params: Array<[string, string]> = [];
  if (error.realm !== undefined) params.push(['realm', error.realm]);
  if (bearerError) {
    params.push(['error', bearerError], ['error_description', description]);
  }
  if (error instanceof InsufficientScopeError) {
    params.push(['scope', error.requiredScopes.join(' ')]);
  }
  const problem = new ProblemError(status, {
    code: bearerError ?? 'unauthorized',
    title: TITLES[status]!,
    detail: description,
    headers: { 'WWW-Authenticate': formatChallenge(params) },
  });
  return withHeaders(problem.toResponse());
}

function withHeaders(response: ErrorResponse): AuthErrorResponse {
  return { ...response, headers: response.headers ?? {} };
}

function formatChallenge(params: Array<[string, string]>): string {
  if (params.length === 0) return 'Bearer';
  return `Bearer ${params.map(([name, value]) => `${name}="${quotable(value)}"`).join(', ')}`;
}

/** RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E inside these quoted strings. */
function quotable(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ');
}
