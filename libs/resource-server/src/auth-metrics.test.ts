import { randomUUID } from 'node:crypto';
import { createAccessTokenVerifier, InMemoryRevocationList } from '@dja/auth';
import { createTestIssuer } from '@dja/auth/testing';
import { Registry } from 'prom-client';
import { registerAuthMetrics } from './auth-metrics';

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
  expect(await read(metrics, 'auth_jwks_fetches')).toBe(1);
  expect(await read(metrics, 'auth_jwks_fetch_failures')).toBe(0);
  const lastSuccess = await read(metrics, 'auth_jwks_last_success_timestamp_seconds');
  expect(lastSuccess).toBeGreaterThanOrEqual(Math.floor(before));

  // The auth service goes away; an unknown kid makes the verifier try again, and fail.
  await issuer.close();
  const unknownKid = issuer.mint({}, { header: { kid: randomUUID() } });
  await expect(verifier.verify(unknownKid)).rejects.toThrow();
  expect(await read(metrics, 'auth_jwks_fetches')).toBe(2);
  expect(await read(metrics, 'auth_jwks_fetch_failures')).toBe(1);
  // Known keys still serve (stale-if-error), and the last success has not moved.
  expect(await read(metrics, 'auth_jwks_usable')).toBe(1);
  expect(await read(metrics, 'auth_jwks_last_success_timestamp_seconds')).toBe(lastSuccess);
});
