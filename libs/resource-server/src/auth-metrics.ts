import { type AccessTokenVerifier, type InMemoryRevocationList, isAuthError } from '@dja/auth';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * What a replica knows about tokens, read at scrape time. `auth_jwks_usable` 0 means every
 * request is being refused with 503; a `auth_jwks_last_success_timestamp_seconds` that stops
 * moving while failures grow means the replica is living on stale keys (JWKS_STALE_IF_ERROR):
 * both are worth an alert (docs/observability.md lists the rules).
 */
export function registerAuthMetrics(
  metrics: Registry,
  verifier: AccessTokenVerifier,
  revocations: InMemoryRevocationList,
): void {
  const jwks = () => verifier.stats().jwks;
  const cache = () => verifier.stats().verifiedCache;
  const gauges: Array<[name: string, help: string, read: () => number]> = [
    [
      'auth_revocation_entries',
      'Entries in this replica’s revocation list.',
      () => revocations.size,
    ],
    ['auth_jwks_usable', '1 while this replica holds usable keys, else 0.', () => +jwks().usable],
    [
      'auth_jwks_last_success_timestamp_seconds',
      'When this replica last fetched the JWKS successfully (Unix time); 0 before that.',
      () => (jwks().lastSuccessAt ?? 0) / 1000,
    ],
    [
      'auth_jwks_withdrawn_keys',
      'Signing keys withdrawn by the issuer that this replica refuses (from events and the snapshot).',
      () => jwks().withdrawnKeys,
    ],
  ];
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers: [metrics],
      collect() {
        this.set(read());
      },
    });
  }
  const counters: Array<[name: string, help: string, read: () => number]> = [
    [
      'auth_jwks_fetches_total',
      'JWKS fetches made since this replica started.',
      () => jwks().fetches,
    ],
    ['auth_jwks_fetch_failures_total', 'JWKS fetches that failed.', () => jwks().fetchFailures],
    [
      'auth_verified_cache_hits_total',
      'Verifications answered from the verified-token cache.',
      () => cache().hits,
    ],
    [
      'auth_verified_cache_misses_total',
      'Verifications that checked a signature (the token was not in the cache).',
      () => cache().misses,
    ],
  ];
  for (const [name, help, read] of counters) counterOf(metrics, name, help, read);
}

/** A counter that follows a count kept elsewhere, brought up to date at scrape time. */
function counterOf(metrics: Registry, name: string, help: string, read: () => number): void {
  let counted = 0;
  new Counter({
    name,
    help,
    registers: [metrics],
    collect() {
      const now = read();
      if (now > counted) this.inc(now - counted);
      counted = now;
    },
  });
}

export interface RevocationLag {
  /** Records how long after `issuedAt` (ISO 8601) this replica applied a revocation. */
  observe(issuedAt: string): void;
}

/**
 * `auth_revocation_lag_seconds`: from the moment auth-service revoked a session or suspended a
 * user (the event's `occurredAt`) to the moment this replica refuses its tokens. Its p99 is how
 * long a logged-out token can still be used here.
 */
export function registerRevocationLag(
  metrics: Registry,
  now: () => number = Date.now,
): RevocationLag {
  const lag = new Histogram({
    name: 'auth_revocation_lag_seconds',
    help: 'Seconds from a revocation being issued to this replica applying it.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [metrics],
  });
  return {
    observe(issuedAt) {
      const seconds = (now() - Date.parse(issuedAt)) / 1000;
      if (Number.isFinite(seconds)) lag.observe(Math.max(0, seconds));
    },
  };
}

/**
 * `auth_refused_requests_total{reason}`: requests `requireAuth` refused, by the stable error code
 * (ERR_TOKEN_EXPIRED, ERR_TOKEN_REVOKED…): the dashboard's "401s by reason".
 */
export function countRefusals(metrics: Registry, requireAuth: RequestHandler): RequestHandler {
  const refused = new Counter({
    name: 'auth_refused_requests_total',
    help: 'Requests refused by token verification, by error code.',
    labelNames: ['reason'] as const,
    registers: [metrics],
  });
  return (req, res, next) =>
    requireAuth(req, res, (error?: unknown) => {
      if (isAuthError(error)) refused.inc({ reason: error.code });
      next(error);
    });
}
