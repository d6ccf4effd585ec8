import { operationsApp } from '@dja/http';
import request from 'supertest';
import {
  basicAuth,
  jwtPayload,
  registerAndLogIn,
  SERVICE_CLIENT,
  startTestService,
  useTestService,
} from '../../test/support/test-service';

const service = useTestService();

const token = () => request(service.app).post('/token');
const clientAuth = basicAuth(SERVICE_CLIENT.id, SERVICE_CLIENT.secret);

describe('POST /token with grant_type=refresh_token', () => {
  it('rotates the refresh token and issues a new access token for the same session', async () => {
    const user = await registerAndLogIn(service);
    service.clock.advance(60);
    const res = await token()
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(res.body.refresh_token).not.toBe(user.refreshToken);
    const before = jwtPayload(user.accessToken);
    const after = jwtPayload(res.body.access_token);
    expect(after.sid).toBe(before.sid);
    expect(after.sub).toBe(user.id);
    expect(after.iat).toBe((before.iat as number) + 60);
  });

  it('accepts the request as JSON too', async () => {
    const user = await registerAndLogIn(service);
    const res = await token().send({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    expect(res.status).toBe(200);
  });

  it('revokes the whole session when a spent refresh token is presented again', async () => {
    const user = await registerAndLogIn(service);
    const first = await token().send({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    const replay = await token().send({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    expect(replay.status).toBe(400);
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    // The token the legitimate client (or the thief) got from the first exchange is dead too.
    const next = await token().send({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token,
    });
    expect(next.status).toBe(400);

    const sid = jwtPayload(user.accessToken).sid as string;
    const session = await service.deps.db.session.findUniqueOrThrow({ where: { id: sid } });
    expect(session).toMatchObject({ revokeReason: 'refresh_token_reuse' });
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'session.revoked' },
    });
    expect(events.map((e) => e.payload)).toContainEqual({
      sessionId: sid,
      userId: user.id,
      reason: 'refresh_token_reuse',
      expiresAt: new Date((jwtPayload(first.body.access_token).exp as number) * 1000).toISOString(),
    });
    const metrics = await request(operationsApp(service.app)).get('/metrics');
    expect(metrics.text).toMatch(/auth_refresh_token_reuse_total\{[^}]*\} [1-9]/);
  });

  it('lets at most one of two concurrent uses of a refresh token succeed', async () => {
    const user = await registerAndLogIn(service);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        token().send({ grant_type: 'refresh_token', refresh_token: user.refreshToken }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a refresh token unused for longer than the idle lifetime', async () => {
    const user = await registerAndLogIn(service);
    service.clock.advance(service.config.REFRESH_TOKEN_IDLE_TTL + 1);
    const res = await token().send({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('ends the session at its absolute lifetime, however often it was refreshed', async () => {
    const user = await registerAndLogIn(service);
    let refreshToken = user.refreshToken;
    const step = service.config.REFRESH_TOKEN_IDLE_TTL - 1;
    let elapsed = 0;
    while (elapsed + step < service.config.REFRESH_TOKEN_ABSOLUTE_TTL) {
      service.clock.advance(step);
      elapsed += step;
      const res = await token().send({ grant_type: 'refresh_token', refresh_token: refreshToken });
      expect(res.status).toBe(200);
      refreshToken = res.body.refresh_token;
    }
    service.clock.advance(service.config.REFRESH_TOKEN_ABSOLUTE_TTL - elapsed);
    const res = await token().send({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(res.status).toBe(400);
  });

  it('narrows the scope of the new access token when asked, and refuses a wider one', async () => {
    const user = await registerAndLogIn(service);
    const narrowed = await token().send({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
      scope: 'orders:read',
    });
    expect(narrowed.body.scope).toBe('orders:read');
    expect(jwtPayload(narrowed.body.access_token).scope).toBe('orders:read');
    const wider = await token().send({
      grant_type: 'refresh_token',
      refresh_token: narrowed.body.refresh_token,
      scope: 'orders:read profile:read',
    });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
  });

  it('refuses an unknown refresh token with invalid_grant', async () => {
    const res = await token().send({ grant_type: 'refresh_token', refresh_token: 'made-up' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('answers unauthorized_client when a service client asks for the refresh_token grant', async () => {
    const user = await registerAndLogIn(service);
    const res = await token()
      .set('Authorization', clientAuth)
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unauthorized_client');
  });
});

describe('POST /token with grant_type=client_credentials', () => {
  it('issues a service token with the client’s scopes, audience and client_id, and no refresh token', async () => {
    const res = await token()
      .set('Authorization', clientAuth)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'profile:read revocations:read',
    });
    const payload = jwtPayload(res.body.access_token);
    expect(payload).toMatchObject({
      sub: SERVICE_CLIENT.id,
      client_id: SERVICE_CLIENT.id,
      aud: ['profile', 'auth'],
      scope: 'profile:read revocations:read',
    });
    expect(payload).not.toHaveProperty('sid');
    expect(payload).not.toHaveProperty('roles');
    expect(JSON.stringify(payload)).not.toContain(SERVICE_CLIENT.secret);
  });

  it('narrows the scope to the requested one', async () => {
    const res = await token()
      .set('Authorization', clientAuth)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'profile:read' });
    expect(res.body.scope).toBe('profile:read');
  });

  it('answers invalid_scope for a scope the client was not given', async () => {
    const res = await token()
      .set('Authorization', clientAuth)
      .type('form')
      .send({ grant_type: 'client_credentials', scope: 'profile:read orders:write' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
  });

  it.each([
    ['a wrong secret', basicAuth(SERVICE_CLIENT.id, 'wrong-secret')],
    ['an unknown client', basicAuth('nobody', SERVICE_CLIENT.secret)],
    ['a malformed Basic header', 'Basic !!!'],
    ['Basic credentials without a colon', `Basic ${Buffer.from('just-an-id').toString('base64')}`],
  ])('answers 401 invalid_client with a Basic challenge for %s', async (_case, authorization) => {
    const res = await token()
      .set('Authorization', authorization)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="auth-service"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('answers 401 invalid_client when no client authentication is sent', async () => {
    const res = await token().type('form').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('decodes form-encoded client ids and secrets inside Basic credentials (RFC 6749 §2.3.1)', async () => {
    const odd = { id: 'odd.client', secret: 'with space+plus:colon%percent-0123456789abcdef' };
    const other = await startTestService({
      database: service.database,
      env: { SERVICE_CLIENTS: JSON.stringify([{ ...odd, scopes: ['x'], audience: ['y'] }]) },
    });
    try {
      const res = await request(other.app)
        .post('/token')
        .set('Authorization', basicAuth(odd.id, odd.secret))
        .type('form')
        .send({ grant_type: 'client_credentials' });
      expect(res.status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it('refuses a client secret sent in the body', async () => {
    const res = await token().type('form').send({
      grant_type: 'client_credentials',
      client_id: SERVICE_CLIENT.id,
      client_secret: SERVICE_CLIENT.secret,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});

describe('POST /token with a bad request', () => {
  it.each([
    ['no grant_type', { refresh_token: 'x' }, 'invalid_request'],
    ['an empty grant_type', { grant_type: '' }, 'invalid_request'],
    [
      'the password grant',
      { grant_type: 'password', username: 'a', password: 'b' },
      'unsupported_grant_type',
    ],
    ['an unknown grant type', { grant_type: 'magic' }, 'unsupported_grant_type'],
    ['no refresh_token', { grant_type: 'refresh_token' }, 'invalid_request'],
  ])('answers 400 %s with %s', async (_case, body, error) => {
    const res = await token().type('form').send(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error, error_description: expect.any(String) });
  });

  it('answers invalid_request for a repeated parameter', async () => {
    const res = await token()
      .type('form')
      .send('grant_type=refresh_token&refresh_token=a&refresh_token=b');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers invalid_request for JSON parameters that are not strings', async () => {
    const res = await token().send({ grant_type: 'refresh_token', refresh_token: { $ne: null } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers invalid_request, not a problem document, for malformed JSON', async () => {
    const res = await token().set('Content-Type', 'application/json').send('{"grant_type":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('answers invalid_request for a JSON body that is not an object', async () => {
    const res = await token().set('Content-Type', 'application/json').send('["grant_type"]');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers invalid_request for another media type', async () => {
    const res = await token()
      .set('Content-Type', 'text/plain')
      .send('grant_type=client_credentials');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers 413 in RFC 6749 form for a huge body', async () => {
    const res = await token()
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers invalid_request when there is no body at all', async () => {
    const res = await token();
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});
