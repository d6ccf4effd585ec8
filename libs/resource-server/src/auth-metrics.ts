import type { AccessTokenVerifier, InMemoryRevocationList } from '@dja/auth';
import { Gauge, type Registry } from 'prom-client';

/**
 * What a replica knows about tokens, read at scrape time. `auth_jwks_usable` 0 means every
 * request is being refused with 503; a `auth_jwks_last_success_timestamp_seconds` that stops
 * moving while failures grow means the replica is living on stale keys (JWKS_STALE_IF_ERROR):
 * both are worth an alert.
 */
export function registerAuthMetrics(
  metrics: Registry,
  verifier: AccessTokenVerifier,
  revocations: InMemoryRevocationList,
): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics],
      collect() {
        this.set(read());
      },
    });
  const jwks = () => verifier.stats().jwks;
  const gauges: Array<[name: string, help: string, read: () => number]> = [
    [
      'auth_revocation_entries',
      'Entries in this replica’s revocation list.',
      () => revocations.size,
    ],
    ['auth_jwks_fetches', 'JWKS fetches made since this replica started.', () => jwks().fetches],
    ['auth_jwks_fetch_failures', 'JWKS fetches that failed.', () => jwks().fetchFailures],
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
    [
      'auth_verified_cache_hits',
      'Requests whose token was found in the verified-token cache.',
      () => verifier.stats().verifiedCache.hits,
    ],
  ];
  for (const [name, help, read] of gauges) gauge(name, help, read);
}
