import { createMetricsRegistry, operationsApp } from '@dja/http';
import request from 'supertest';
import { createApp } from './app';
import { SERVICE_NAME } from './dependencies';
import { KeyStore } from './keys/key-store';
import {
  adminAccessToken,
  registerAndLogIn,
  SERVICE_CLIENT,
  serviceAccessToken,
  startTestService,
  type TestService,
} from '../test/support/test-service';

let service: TestService;
let admin: string;
beforeAll(async () => {
  service = await startTestService();
  admin = await adminAccessToken(service);
});
afterAll(() => service.stop());

describe('operational endpoints', () => {
  it('tags every response with the replica that served it', async () => {
    const res = await request(operationsApp(service.app)).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['x-served-by']).toBe('auth-service-test');
  });

  it('reports ready once the database answers and a signing key is loaded', async () => {
    const res = await request(operationsApp(service.app)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok', keys: 'ok' });
  });

  it('reports not ready before the keys are loaded', async () => {
    const { db, encryption, clock } = service.deps.rotation;
    const unloaded = new KeyStore({
      db,
      encryption,
      clock,
      logger: service.deps.logger,
      reloadIntervalSeconds: service.config.KEY_RELOAD_INTERVAL,
    });
    const app = createApp({
      ...service.deps,
      keys: unloaded,
      metrics: createMetricsRegistry(SERVICE_NAME),
    });
    const res = await request(operationsApp(app)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'ok', keys: 'failing' });
  });

  it('counts issued tokens by grant type', async () => {
    const user = await registerAndLogIn(service);
    await request(service.app)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    await serviceAccessToken(service);
    const metrics = (await request(operationsApp(service.app)).get('/metrics')).text;
    for (const grant of ['password', 'refresh_token', 'client_credentials']) {
      expect(metrics).toMatch(
        new RegExp(`auth_tokens_issued_total\\{grant_type="${grant}"[^}]*\\} [1-9]`),
      );
    }
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/token"/);
  });

  it('never writes passwords, tokens or secrets to the log', async () => {
    const user = await registerAndLogIn(service);
    const refreshed = await request(service.app)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    await request(service.app)
      .post('/login')
      .send({ email: user.email, password: 'wrong password!' });
    await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${refreshed.body.access_token}`);
    const log = service.logs.join('');
    expect(log).toContain('/token');
    for (const secret of [
      user.password,
      'wrong password!',
      user.accessToken,
      user.refreshToken,
      refreshed.body.refresh_token,
      SERVICE_CLIENT.secret,
      service.config.KEY_ENCRYPTION_SECRET,
      '$argon2id$',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('hostile input on every endpoint', () => {
  const endpoints: Array<[string, string]> = [
    ['post', '/register'],
    ['post', '/login'],
    ['post', '/token'],
    ['post', '/revoke'],
    ['post', '/logout'],
    ['post', '/admin/users/00000000-0000-4000-8000-000000000000/suspend'],
    ['post', '/admin/users/00000000-0000-4000-8000-000000000000/unsuspend'],
    ['post', '/admin/keys/rotate'],
    ['get', '/admin/keys'],
    ['get', '/internal/revocations'],
    ['get', '/.well-known/jwks.json'],
    ['get', '/.well-known/oauth-authorization-server'],
  ];
  const bodies: Array<[string, string, string]> = [
    ['malformed JSON', 'application/json', '{"email": "a@'],
    ['a JSON array', 'application/json', '[1,2,3]'],
    ['a JSON string', 'application/json', '"hello"'],
    ['JSON null', 'application/json', 'null'],
    ['deeply nested JSON', 'application/json', `${'{"a":'.repeat(500)}1${'}'.repeat(500)}`],
    [
      'prototype pollution',
      'application/json',
      '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}',
    ],
    [
      'wrong types',
      'application/json',
      '{"email":{"$gt":""},"password":[1],"grant_type":7,"refresh_token":false}',
    ],
    ['a huge body', 'application/json', JSON.stringify({ email: 'x'.repeat(200_000) })],
    ['text', 'text/plain', 'email=a&password=b'],
    ['XML', 'application/xml', '<a/>'],
    ['a repeated form field', 'application/x-www-form-urlencoded', 'grant_type=a&grant_type=b'],
    ['a broken charset', 'application/json; charset=utf-42', '{}'],
  ];

  it.each(endpoints)('never answers %s %s with a 5xx', async (method, path) => {
    const failures: string[] = [];
    for (const [name, contentType, body] of bodies) {
      for (const authorization of [undefined, `Bearer ${admin}`, 'Bearer x.y.z', 'Basic ###']) {
        let req = request(service.app)
          [method as 'get' | 'post'](path)
          .set('Content-Type', contentType);
        if (authorization) req = req.set('Authorization', authorization);
        const res = await req.send(body);
        if (res.status >= 500)
          failures.push(`${name}, ${authorization ?? 'no auth'}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(service.app).get('/nope');
    expect(res.status).toBe(404);
  });
});
