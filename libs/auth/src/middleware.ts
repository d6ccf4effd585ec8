import { markFailed, startSpan } from '@dja/telemetry';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { AccessTokenPrincipal } from './access-token-claims';
import { type BearerTokenOptions, extractBearerToken } from './bearer-token';
import {
  AuthError,
  InsufficientScopeError,
  InvalidTokenError,
  TokenMissingError,
  bearerErrorResponse,
} from './errors';
import type { RevocationList } from './revocation-list';
import type { AccessTokenVerifier } from './verify-access-token';

declare module 'express-serve-static-core' {
  interface Request {
    /** The caller, set by `requireAuth`. Prefer `getPrincipal(req)`, which never returns undefined. */
    auth?: AccessTokenPrincipal;
  }
}

export interface RequireAuthOptions extends BearerTokenOptions {
  /** Consulted on every request, also for tokens served from the verified-token cache. */
  revocations: RevocationList;
  /** RFC 6750 `realm` for the WWW-Authenticate challenge. */
  realm?: string;
}

/**
 * Authenticates the request from its bearer token and sets `req.auth`. Failures go to `next`
 * as AuthErrors; the shared error handler (or `authErrorHandler()`) answers them.
 */
export function requireAuth(
  verifier: AccessTokenVerifier,
  options: RequireAuthOptions,
): RequestHandler {
  return async (req, _res, next) => {
    try {
      req.auth = await authenticate(req, verifier, options);
      next();
    } catch (error) {
      next(withRealm(error, options.realm));
    }
  };
}

/**
 * What `requireAuth` does, minus Express plumbing: extract, verify, check revocation.
 * Exported for non-Express entry points (and the benchmark).
 */
export async function authenticate(
  req: Request,
  verifier: AccessTokenVerifier,
  options: RequireAuthOptions,
): Promise<AccessTokenPrincipal> {
  const token = extractBearerToken(req, options);
  if (token === undefined) throw refusedWithoutToken();
  const principal = await verifier.verify(token);
  // The revocation check is its own span: `auth.revoked` says what it found.
  const span = startSpan('auth.check_revocation');
  const listed = options.revocations.isRevoked(principal);
  // Awaiting only when the list is asynchronous saves a microtask on every request.
  const revoked = listed === true || (listed !== false && (await listed));
  span.setAttribute('auth.revoked', revoked);
  span.end();
  if (revoked) throw new InvalidTokenError('ERR_TOKEN_REVOKED', 'token, session or user revoked');
  return principal;
}

/** A request without a token is refused before verification; its span says so all the same. */
function refusedWithoutToken(): TokenMissingError {
  const error = new TokenMissingError();
  const span = startSpan('auth.verify_token', {
    attributes: { 'auth.outcome': 'refused', 'auth.error_code': error.code },
  });
  markFailed(span, error);
  span.end();
  return error;
}

/** Lets the request through only if its token has every one of `scopes`. Use after requireAuth. */
export function requireScope(
  scopes: string | readonly string[],
  options: { realm?: string } = {},
): RequestHandler {
  const required = typeof scopes === 'string' ? [scopes] : [...scopes];
  return (req, _res, next) => {
    const granted = getPrincipal(req).scopes;
    if (required.every((scope) => granted.includes(scope))) return next();
    next(withRealm(new InsufficientScopeError(required), options.realm));
  };
}

/** The authenticated caller. Throws (a 500: a wiring bug) if requireAuth did not run. */
export function getPrincipal(req: Request): AccessTokenPrincipal {
  if (req.auth === undefined)
    throw new Error('getPrincipal: requireAuth did not run for this route');
  return req.auth;
}

/**
 * Answers AuthErrors and passes anything else on. For services that do not use the shared
 * error handler of @dja/http, which already answers them through `toResponse()`.
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (!(error instanceof AuthError) || res.headersSent) return next(error);
    const { status, headers, contentType, body } = bearerErrorResponse(error);
    res.status(status).set(headers).type(contentType).send(JSON.stringify(body));
  };
}

function withRealm(error: unknown, realm: string | undefined): unknown {
  if (realm !== undefined && error instanceof AuthError) error.realm = realm;
  return error;
}
