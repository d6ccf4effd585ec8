/**
 * Reading a JWS compact token without any key: its header and payload are base64url-encoded
 * JSON, an encoding and not encryption. Only the signature needs the issuer's key, and only to
 * be checked, which every service does; this console never checks it and never could.
 */

export interface JwtClaims {
  sub?: string;
  client_id?: string;
  roles?: string[];
  scope?: string;
  exp?: number;
  iat?: number;
  sid?: string;
  [claim: string]: unknown;
}

export interface DecodedJwt {
  /** The three dot-separated segments as sent: header, payload, signature. */
  parts: [header: string, payload: string, signature: string];
  header: Record<string, unknown>;
  payload: JwtClaims;
}

/** base64url (RFC 4648 §5, no padding) to the UTF-8 text it encodes. */
export function decodeBase64Url(segment: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error('not base64url');
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export function splitJwt(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('a JWS compact token has three parts');
  return parts as [string, string, string];
}

export function decodeJwt(token: string): DecodedJwt {
  const parts = splitJwt(token);
  return {
    parts,
    header: JSON.parse(decodeBase64Url(parts[0])) as Record<string, unknown>,
    payload: JSON.parse(decodeBase64Url(parts[1])) as JwtClaims,
  };
}

export interface TamperedJwt {
  token: string;
  /** Position of the changed character within the payload segment. */
  index: number;
  from: string;
  to: string;
}

/**
 * The token with one character of its payload changed. The middle of the segment is used because
 * the last character of a base64url segment can carry unused bits; a change there might decode
 * to the same bytes (the signature would still fail, but the demonstration would be weaker).
 */
export function tamperWithPayload(token: string): TamperedJwt {
  const [header, payload, signature] = splitJwt(token);
  const index = Math.floor(payload.length / 2);
  const from = payload.charAt(index);
  const to = from === 'A' ? 'B' : 'A';
  const changed = payload.slice(0, index) + to + payload.slice(index + 1);
  return { token: `${header}.${changed}.${signature}`, index, from, to };
}

/** Whole seconds until `exp` (negative once expired). */
export function secondsUntil(exp: number, nowMs: number): number {
  return Math.floor(exp - nowMs / 1000);
}

/** `4:07`, or `expired`. */
export function formatCountdown(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A short, recognisable form of a secret: enough to see that it changed, not enough to use. */
export function abbreviate(secret: string): string {
  return secret.length <= 12 ? secret : `${secret.slice(0, 6)}…${secret.slice(-4)}`;
}
