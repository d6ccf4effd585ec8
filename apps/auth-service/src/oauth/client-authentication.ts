import { hash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { ServiceClient } from '../config';
import { OAuthError } from './oauth-error';

export interface ClientCredentials {
  id: string;
  secret: string;
}

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1): id and secret are each
 * form-urlencoded before base64, so they are decoded again here. Undefined when the request
 * uses no Basic authentication.
 */
export function basicClientCredentials(req: Request): ClientCredentials | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const [scheme, encoded, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const invalid = new OAuthError('invalid_client', 'Client authentication failed');
  if (!encoded || rest.length > 0 || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) throw invalid;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw invalid;
  try {
    return {
      id: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    throw invalid;
  }
}

/**
 * The configured client these credentials belong to, or invalid_client. Secrets are compared in
 * constant time (as SHA-256 digests, so their lengths leak nothing either), and an unknown id
 * costs the same comparison as a known one.
 */
export function authenticateClient(
  clients: readonly ServiceClient[],
  presented: ClientCredentials | undefined,
): ServiceClient {
  if (!presented) throw new OAuthError('invalid_client', 'Client authentication is required');
  const client = clients.find((candidate) => candidate.id === presented.id);
  const expected = digest(client?.secret ?? 'no such client: compare anyway');
  if (!timingSafeEqual(expected, digest(presented.secret)) || !client) {
    throw new OAuthError('invalid_client', 'Client authentication failed');
  }
  return client;
}

const digest = (value: string) => hash('sha256', value, 'buffer');

const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
