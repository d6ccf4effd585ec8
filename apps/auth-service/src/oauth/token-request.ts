import { bodyParserProblem } from '@dja/http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { OAuthError } from './oauth-error';

const FORM = 'application/x-www-form-urlencoded';
const TOKEN_REQUEST_TYPES = [FORM, 'application/json'];

/**
 * Reads a token request body: form-encoded as RFC 6749 §4 specifies, or JSON for convenience
 * (the shared app already parses JSON). Any other media type is an `invalid_request`.
 */
export function tokenRequestBody(): RequestHandler[] {
  const mediaType: RequestHandler = (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(TOKEN_REQUEST_TYPES)) {
      return next(new OAuthError('invalid_request', `Send the request body as ${FORM}`));
    }
    next();
  };
  return [mediaType, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 32 })];
}

/** The endpoints that answer in RFC 6749 §5.2 format. */
const OAUTH_PATHS = new Set(['/token', '/revoke']);

/**
 * Body parser failures on the token and revocation endpoints (malformed JSON or form, oversized bodies) answered
 * as RFC 6749 errors instead of the problem documents the rest of the service sends. It must run
 * before the shared error handler; see app.ts for how it is mounted.
 */
export function tokenRequestBodyErrors(): ErrorRequestHandler {
  return (error, req, _res, next) => {
    const problem = OAUTH_PATHS.has(req.path) ? bodyParserProblem(error) : undefined;
    if (!problem) return next(error);
    const status = problem.status === 413 ? 413 : 400;
    next(new OAuthError('invalid_request', 'The request body could not be read', { status }));
  };
}

/** Reads the token request parameters (RFC 6749 §3.2: empty means omitted, no repeats). */
export function tokenParameters(body: unknown): (name: string) => string | undefined {
  const params: Record<string, unknown> =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  if (body !== undefined && params !== body) {
    throw new OAuthError('invalid_request', 'The request body must be an object of parameters');
  }
  return (name) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined || value === '') return undefined;
    if (Array.isArray(value)) {
      throw new OAuthError('invalid_request', `The ${name} parameter is repeated`);
    }
    if (typeof value !== 'string') {
      throw new OAuthError('invalid_request', `The ${name} parameter must be a string`);
    }
    return value;
  };
}

/**
 * The scopes to grant: all of `allowed` when none are requested, else the requested ones if
 * every one is allowed (RFC 6749 §3.3: space-delimited, case-sensitive).
 */
export function grantedScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  if (scopes.length === 0 || !scopes.every((scope) => allowed.includes(scope))) {
    throw new OAuthError('invalid_scope', 'The requested scope is not available to this client');
  }
  return scopes;
}
