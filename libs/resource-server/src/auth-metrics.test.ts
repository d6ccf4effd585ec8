import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, InMemoryRevocationList } from '@dja/auth';
import { createTestIssuer } from '@dja/auth/testing';
import { Registry } from 'prom-client';
import { registerAuthMetrics, registerRevocationLag } from './auth-metrics';

jest.setTimeout(30_000);

/** The value of one metric without labels in Prometheus text format. */
async function read(metrics: Registry, name: string): Promise<number> {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(await metrics.metrics());
  if (!match) throw new Error(`no ${name}`);
  return Number(match[1]);
}

it('reports the JWKS state: fetches, failures, usable keys and the last success', async () => {
  const issuer = await createTestIssuer();
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    jwks: { cooldownMs: 0 },
  });
  const metrics = new Registry();
  registerAuthMetrics(
    metrics,
    verifier,
    new InMemoryRevocationList({ maxTokenLifetimeSeconds: 300 }),
  );

  expect(await read(metrics, 'auth_jwks_usable')).toBe(0);
  expect(await read(metrics, 'auth_jwks_last_success_timestamp_seconds')).toBe(0);

  const before = Date.now() / 1000;
  await verifier.ready();
  expect(await read(metrics, 'auth_jwks_usable')).toBe(1);
  expect(await read(metrics, 'auth_jwks_fetches_total')).toBe(1);
  expect(await read(metrics, 'auth_jwks_fetch_failures_total')).toBe(0);
  const lastSuccess = await read(metrics, 'auth_jwks_last_success_timestamp_seconds');
  expect(lastSuccess).toBeGreaterThanOrEqual(Math.floor(before));

  // The auth service goes away; an unknown kid makes the verifier try again, and fail.
  await issuer.close();
  const unknownKid = issuer.mint({}, { header: { kid: randomUUID() } });
  await expect(verifier.verify(unknownKid)).rejects.toThrow();
  expect(await read(metrics, 'auth_jwks_fetches_total')).toBe(2);
  expect(await read(metrics, 'auth_jwks_fetch_failures_total')).toBe(1);
  // Known keys still serve (stale-if-error), and the last success has not moved.
  expect(await read(metrics, 'auth_jwks_usable')).toBe(1);
  expect(await read(metrics, 'auth_jwks_last_success_timestamp_seconds')).toBe(lastSuccess);
});

it('counts verified-cache hits and misses as counters', async () => {
  const issuer = await createTestIssuer();
  try {
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
    });
    const metrics = new Registry();
    registerAuthMetrics(
      metrics,
      verifier,
      new InMemoryRevocationList({ maxTokenLifetimeSeconds: 300 }),
    );
    await verifier.ready();
    const token = issuer.mint({});
    for (let i = 0; i < 3; i++) await verifier.verify(token);
    expect(await read(metrics, 'auth_verified_cache_misses_total')).toBe(1);
    expect(await read(metrics, 'auth_verified_cache_hits_total')).toBe(2);
    await verifier.verify(token);
    expect(await read(metrics, 'auth_verified_cache_hits_total')).toBe(3);
    expect(await metrics.metrics()).toMatch(/# TYPE auth_verified_cache_hits_total counter/);
  } finally {
    await issuer.close();
  }
});

it('observes the lag from a revocation being issued to its being applied', async () => {
  const metrics = new Registry();
  const lag = registerRevocationLag(metrics, () => Date.parse('2026-01-01T00:00:01.500Z'));
  lag.observe('2026-01-01T00:00:01.000Z');
  const text = await metrics.metrics();
  expect(text).toMatch(/^auth_revocation_lag_seconds_sum 0\.5$/m);
  expect(text).toMatch(/^auth_revocation_lag_seconds_bucket\{le="0\.25"\} 0$/m);
  expect(text).toMatch(/^auth_revocation_lag_seconds_bucket\{le="0\.5"\} 1$/m);
});
