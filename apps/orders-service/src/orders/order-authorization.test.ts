import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestService, type TestService } from '../../test/support/test-service';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

const ENDPOINTS = [
  ['POST', '/orders', 'orders:write'],
  ['GET', '/orders', 'orders:read'],
  ['GET', `/orders/${randomUUID()}`, 'orders:read'],
] as const;

function send(method: string, path: string, token?: string) {
  const req = method === 'POST' ? request(service.app).post(path) : request(service.app).get(path);
  if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
  return method === 'POST' ? req.send({ items: [{ sku: 'A', quantity: 1 }] }) : req;
}

describe.each(ENDPOINTS)('%s %s', (method, path, scope) => {
  it('answers 401 with a Bearer challenge without a token', async () => {
    const res = await send(method, path);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="orders-service"/);
  });

  it('answers 401 invalid_token to a token for another audience', async () => {
    const res = await send(method, path, service.issuer.mint({ aud: 'profile', scope }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 401 invalid_token to an expired token', async () => {
    const iat = Math.floor(Date.now() / 1000) - 3600;
    const res = await send(method, path, service.issuer.mint({ scope, iat, exp: iat + 300 }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 401 to a revoked session', async () => {
    const sid = randomUUID();
    service.revocations.revokeSession(sid, Math.floor(Date.now() / 1000) + 600);
    const res = await send(method, path, service.issuer.mint({ scope, sid }));
    expect(res.status).toBe(401);
  });

  it(`answers 403 insufficient_scope to a token without ${scope}`, async () => {
    const other = scope === 'orders:read' ? 'orders:write' : 'orders:read';
    const res = await send(method, path, service.tokenFor(randomUUID(), [other, 'profile:me']));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(res.headers['www-authenticate']).toContain(`scope="${scope}"`);
  });
});

it('checks the token before the body: 401, not 400 or 415, for a bad request without a token', async () => {
  const res = await request(service.app).post('/orders').type('form').send('x=1');
  expect(res.status).toBe(401);
});
