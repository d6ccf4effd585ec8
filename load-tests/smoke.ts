/**
 * Smoke: one user calls every public endpoint once, through the gateway. Run it first; if it
 * fails, the heavier profiles would only measure errors.
 *
 *   k6 run -e BASE_URL=http://localhost:8080 -e ADMIN_PASSWORD=… load-tests/smoke.ts
 */
import type { Options } from 'k6/options';
import { keyIdOf, login, logout, newUser, refresh } from './lib/auth.ts';
import { call, jsonBody } from './lib/client.ts';
import { expectStatus, expectThat } from './lib/checks.ts';
import { ADMIN } from './lib/config.ts';
import { writeSummary } from './lib/summary.ts';

export const options: Options = {
  vus: 1,
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    unauthorized_responses: ['count==0'],
  },
};

export default function smoke(): void {
  const jwks = call('GET', 'auth', 'GET jwks', '/auth/.well-known/jwks.json');
  expectStatus(jwks, 200, 'JWKS');
  const discovery = call(
    'GET',
    'auth',
    'GET discovery',
    '/.well-known/oauth-authorization-server/auth',
  );
  expectStatus(discovery, 200, 'RFC 8414 metadata');

  const session = newUser('smoke');
  if (!session) return;
  const token = session.accessToken;
  const kids = (jsonBody<{ keys: Array<{ kid: string }> }>(jwks)?.keys ?? []).map((k) => k.kid);
  expectThat(kids.includes(keyIdOf(token)), 'access token signed by a published key');

  const created = call('POST', 'orders', 'POST /orders', '/orders', {
    token,
    json: { items: [{ sku: 'SMOKE-1', quantity: 2 }] },
    headers: { 'Idempotency-Key': `${session.email}-1` },
  });
  expectStatus(created, 201, 'create order');
  const orderId = jsonBody<{ id: string }>(created)?.id ?? 'missing';
  expectStatus(call('GET', 'orders', 'GET /orders', '/orders', { token }), 200, 'list orders');
  expectStatus(
    call('GET', 'orders', 'GET /orders/:id', `/orders/${orderId}`, { token }),
    200,
    'get order',
  );
  expectStatus(call('GET', 'profile', 'GET /profile/me', '/profile/me', { token }), 200, 'profile');
  expectStatus(
    call('PUT', 'profile', 'PUT /profile/me', '/profile/me', {
      token,
      json: { displayName: 'Smoke Test', locale: 'en' },
    }),
    200,
    'update profile',
  );
  expectStatus(
    call('GET', 'notifications', 'GET /notifications', '/notifications', { token }),
    200,
    'notifications',
  );

  expectThat(refresh(session), 'refresh grant');
  const admin = login(ADMIN.email, ADMIN.password);
  if (admin) {
    const keys = call('GET', 'auth', 'GET /auth/admin/keys', '/auth/admin/keys', {
      token: admin.accessToken,
    });
    expectStatus(keys, 200, 'admin key list');
    logout(admin);
  }

  const revoked = session.accessToken;
  logout(session);
  const after = call('GET', 'orders', 'GET /orders', '/orders', {
    token: revoked,
    expectUnauthorized: true,
  });
  expectStatus(after, 401, 'logged-out token refused');
}

export const handleSummary = writeSummary('smoke');
