import { hash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { ServiceClient } from '../config';
import type { Dependencies } from '../dependencies';
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

/**
 * `authenticateClient` behind the per-client throttle: once a client id has failed
 * CLIENT_MAX_FAILED_AUTHENTICATIONS times within CLIENT_FAILURE_WINDOW, every attempt for it gets
 * 429 `slow_down` until the window frees one, even with the right secret (else guessing would go
 * on). Only configured ids are counted: an unknown id has no secret to guess, and counting it
 * would let anyone fill the table with made-up ids.
 */
export async function authenticateThrottledClient(
  deps: Pick<Dependencies, 'config' | 'clientThrottle' | 'clock' | 'authMetrics'>,
  presented: ClientCredentials | undefined,
): Promise<ServiceClient> {
  const clients = deps.config.SERVICE_CLIENTS;
  const known = presented && clients.some((client) => client.id === presented.id);
  if (!known) return authenticateClient(clients, presented);
  const now = deps.clock();
  const wait = await deps.clientThrottle.secondsUntilAllowed(presented.id, now);
  if (wait > 0) {
    deps.authMetrics.throttled.inc({ throttle: 'client_authentication' });
    throw new OAuthError('slow_down', 'Too many failed client authentications; retry later', {
      status: 429,
      retryAfterSeconds: wait,
    });
  }
  try {
    return authenticateClient(clients, presented);
  } catch (error) {
    await deps.clientThrottle.record(presented.id, now);
    throw error;
  }
}
