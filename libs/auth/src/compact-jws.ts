import { isPlainObject } from './access-token-claims';
import { InvalidTokenError } from './errors';

/** Three base64url segments. The signature may be empty here so `alg: none` is reported as such. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** RFC 9068 §2.1; media types are case-insensitive, and `application/` may be omitted. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/**
 * Header parameters that embed a key or point at one. Honouring them would let the token pick
 * the key that verifies it, so we never fetch or trust them, and a token carrying one is refused
 * outright: our issuer never sets them, so their presence is a forgery attempt or a bug.
 */
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/**
 * Header segments already validated, with their kid. Every token signed with one key has the
 * same header, so on the hot path decoding, parsing and checking it becomes one Map lookup.
 * Validation depends on nothing but the segment, so sharing this memo is safe; it is bounded
 * by starting over when full.
 */
const checkedHeaders = new Map<string, { kid: string | undefined }>();
const MAX_CHECKED_HEADERS = 64;

export interface AccessTokenJws {
  kid: string | undefined;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  payloadSegment: string;
  signatureSegment: string;
}

/**
 * Splits a compact JWS and validates its protected header. Nothing here trusts the token: the
 * header only selects a key from our own JWKS, and the payload is left encoded until the
 * signature over it has been checked.
 */
export function parseAccessTokenJws(token: unknown, maxLength: number): AccessTokenJws {
  if (typeof token !== 'string' || token.length === 0) throw malformed('empty token');
  if (token.length > maxLength) throw malformed('token longer than maxTokenLength');
  if (!COMPACT_JWS.test(token)) throw malformed('not three base64url segments');

  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  const headerSegment = token.slice(0, firstDot);
  let checked = checkedHeaders.get(headerSegment);
  if (checked === undefined) {
    checked = { kid: checkHeader(decodeJsonSegment(headerSegment, 'header')) };
    if (checkedHeaders.size >= MAX_CHECKED_HEADERS) checkedHeaders.clear();
    checkedHeaders.set(headerSegment, checked);
  }
  return {
    kid: checked.kid,
    signingInput: token.slice(0, lastDot),
    payloadSegment: token.slice(firstDot + 1, lastDot),
    signatureSegment: token.slice(lastDot + 1),
  };
}

/**
 * Base64url-decodes a segment and parses it as JSON. With `scratch` (at least as many bytes as
 * the segment has characters, so nothing is cut off) the bytes are decoded into it rather than
 * into a new Buffer: the caller owns it and nothing else uses it until this returns.
 */
export function decodeJsonSegment(
  segment: string,
  part: 'header' | 'payload',
  scratch?: Buffer,
): unknown {
  // Base64url text of length 4n+1 cannot come from any byte string; Buffer would drop the rest.
  if (segment.length % 4 === 1) throw malformed(`${part} is not base64url`);
  try {
    if (scratch === undefined || scratch.length < segment.length) {
      return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    }
    return JSON.parse(scratch.toString('utf8', 0, scratch.write(segment, 'base64url')));
  } catch (error) {
    throw malformed(`${part} is not JSON`, error);
  }
}

/** Returns the `kid`, or undefined when the header names none. */
function checkHeader(header: unknown): string | undefined {
  if (!isPlainObject(header)) throw malformed('header is not a JSON object');
  // Pinned: never "none", never HS256 keyed with our public key, never another RSA algorithm.
  if (header.alg !== 'RS256') {
    throw new InvalidTokenError('ERR_TOKEN_ALGORITHM', 'alg is not RS256');
  }
  const { typ, kid } = header;
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) {
    throw headerError('typ is not at+jwt');
  }
  // RFC 7515 §4.1.11: we understand no extension, so any `crit` must be refused.
  if (header.crit !== undefined) throw headerError('crit header present');
  for (const name of KEY_CARRYING_HEADERS) {
    if (header[name] !== undefined) throw headerError(`${name} header present`);
  }
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256) {
    throw headerError('kid is not a short non-empty string');
  }
  return kid;
}

function malformed(message: string, cause?: unknown): InvalidTokenError {
  return new InvalidTokenError('ERR_TOKEN_MALFORMED', message, undefined, { cause });
}

function headerError(message: string): InvalidTokenError {
  return new InvalidTokenError('ERR_TOKEN_HEADER', message);
}
