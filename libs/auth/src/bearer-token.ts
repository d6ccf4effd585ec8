import type { Request } from 'express';
import { InvalidRequestError } from './errors';

export interface BearerTokenOptions {
  /**
   * Accept `?access_token=` (RFC 6750 §2.3). Off by default: URLs end up in logs and browser
   * history. A token there is still detected, so it is refused with 400 rather than ignored.
   */
  allowQueryToken?: boolean;
  /** Accept a form-encoded `access_token` body parameter (RFC 6750 §2.2). Off by default. */
  allowBodyToken?: boolean;
}

/**
 * The bearer token of a request, or undefined when it carries none (no Authorization header,
 * or one with another scheme such as Basic). Throws InvalidRequestError (400) when the request
 * is malformed in the ways RFC 6750 §3.1 names: more than one way of sending the token, a
 * repeated parameter, `Bearer` without a token.
 */
export function extractBearerToken(
  req: Request,
  options: BearerTokenOptions = {},
): string | undefined {
  const fromHeader = tokenFromAuthorizationHeader(req);
  const fromQuery = tokenFromQuery(req);
  const fromBody = tokenFromFormBody(req);
  const methods =
    Number(fromHeader !== undefined) +
    Number(fromQuery !== undefined) +
    Number(fromBody !== undefined);
  if (methods > 1) throw new InvalidRequestError('The access token must be sent in one way only');
  if (fromQuery !== undefined && !options.allowQueryToken) {
    throw new InvalidRequestError('Access tokens are not accepted in the query string');
  }
  if (fromBody !== undefined && !options.allowBodyToken) {
    throw new InvalidRequestError('Access tokens are not accepted in the request body');
  }
  const token = fromHeader ?? fromQuery ?? fromBody;
  if (token === '') throw new InvalidRequestError('The access token is empty');
  return token;
}

function tokenFromAuthorizationHeader(req: Request): string | undefined {
  // Node keeps only the first of repeated Authorization headers; rawHeaders still has them all.
  let headers = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (name.length === 13 && isAuthorization(name)) headers += 1;
  }
  if (headers > 1) throw new InvalidRequestError('Send a single Authorization header');

  const value = req.headers.authorization;
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme !== 'Bearer' && scheme.toLowerCase() !== 'bearer') {
    // Another scheme alone is simply no bearer token (401); a list smuggling one in is not.
    if (/,\s*bearer(\s|$)/i.test(value)) {
      throw new InvalidRequestError('Send a single Authorization scheme');
    }
    return undefined;
  }
  const credentials = space === -1 ? '' : value.slice(space + 1).trim();
  if (credentials === '') throw new InvalidRequestError('The Bearer scheme needs a token');
  if (credentials.includes(' ') || credentials.includes(',') || credentials.includes('\t')) {
    throw new InvalidRequestError('The Authorization header holds more than a bearer token');
  }
  return credentials;
}

/** Header names are case-insensitive; the usual spellings skip allocating a lowercased copy. */
function isAuthorization(name: string): boolean {
  return (
    name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization'
  );
}

function tokenFromQuery(req: Request): string | undefined {
  const url = req.originalUrl ?? req.url;
  if (!url.includes('access_token')) return undefined; // skips URL parsing on almost every request
  const values = new URL(url, 'http://localhost').searchParams.getAll('access_token');
  if (values.length > 1) throw new InvalidRequestError('Send the access_token parameter once');
  return values[0];
}

function tokenFromFormBody(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'access_token')) {
    return undefined;
  }
  if (!req.is('application/x-www-form-urlencoded')) return undefined;
  const value = (body as { access_token: unknown }).access_token;
  if (typeof value !== 'string')
    throw new InvalidRequestError('Send the access_token parameter once');
  return value;
}
