import type { AttackContext } from '../testing/attack-context';
import type { ResourceService } from '../testing/stack-info';

/** Where a case is sent: through the gateway, or straight at one replica. */
export interface Target {
  service: ResourceService;
  /** `gateway` or the replica's name (`orders-service-2`). */
  via: string;
  baseUrl: string;
}

/** The part of a request a case crafts; the path is the service's probe route. */
export interface CaseRequest {
  headers?: Array<[string, string]>;
  /** Appended to the path as `?query`. */
  query?: string;
}

export interface Expectation {
  /** One status, or the statuses any of which is correct (e.g. gateway 400 vs replica 431). */
  status: number | readonly number[];
  /**
   * RFC 6750 `error` of the `WWW-Authenticate: Bearer` challenge; null for a challenge without
   * one (no credentials); undefined when the answer carries no bearer challenge to check.
   */
  bearerError?: 'invalid_token' | 'invalid_request' | 'insufficient_scope' | null;
}

export type Family =
  | 'control'
  | 'algorithm confusion'
  | 'forged signature'
  | 'tampered claims'
  | 'foreign key'
  | 'claim validation'
  | 'key selection'
  | 'encoding'
  | 'oversized input'
  | 'scheme and header'
  | 'token confusion and revocation';

export interface SecurityCase {
  /** Stable, unique; the row key in docs/security.md. */
  id: string;
  family: Family;
  /** What the request is, in a few words. */
  title: string;
  /** Where the attack or the rule comes from: RFC section, OWASP, CVE, jwt_tool. */
  reference: string;
  build(ctx: AttackContext, target: Target): CaseRequest;
  expect: Expectation | ((target: Target) => Expectation);
}

export const INVALID_TOKEN: Expectation = { status: 401, bearerError: 'invalid_token' };
export const INVALID_REQUEST: Expectation = { status: 400, bearerError: 'invalid_request' };
export const NO_CREDENTIALS: Expectation = { status: 401, bearerError: null };
export const ACCEPTED: Expectation = { status: 200 };

export function bearer(token: string, scheme = 'Bearer'): CaseRequest {
  return { headers: [['authorization', `${scheme} ${token}`]] };
}

export function expectationFor(item: SecurityCase, target: Target): Expectation {
  return typeof item.expect === 'function' ? item.expect(target) : item.expect;
}

/** The three segments of a compact JWS. */
export function segments(token: string): [string, string, string] {
  const [header, payload, signature] = token.split('.');
  return [header!, payload!, signature!];
}

export function b64url(value: string | Buffer | Uint8Array): string {
  return Buffer.from(value as Buffer).toString('base64url');
}

/** The token with its payload replaced by `claims`, keeping the original signature. */
export function withPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = segments(token);
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString('utf8'));
}
