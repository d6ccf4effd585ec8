import { problemType } from '@dja/http';
import request from 'supertest';
import {
  adminAccessToken,
  jwtPayload,
  registerAndLogIn,
  serviceAccessToken,
  startTestService,
  type TestService,
} from '../../test/support/test-service';

let service: TestService;
let admin: string;
beforeAll(async () => {
  service = await startTestService();
  admin = await adminAccessToken(service);
});
afterAll(() => service.stop());

const post = (path: string, token = admin) =>
  request(service.app).post(path).set('Authorization', `Bearer ${token}`);

describe('admin authorisation', () => {
  it.each([
    ['POST', '/admin/users/00000000-0000-4000-8000-000000000000/suspend'],
    ['POST', '/admin/users/00000000-0000-4000-8000-000000000000/unsuspend'],
    ['POST', '/admin/keys/rotate'],
    ['GET', '/admin/keys'],
  ])('answers %s %s with 401 and a Bearer challenge without a token', async (method, path) => {
    const res = await request(service.app)[method === 'GET' ? 'get' : 'post'](path);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 403 to a user without the admin role', async () => {
    const user = await registerAndLogIn(service);
    const res = await request(service.app)
      .get('/admin/keys')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 403 to a service token', async () => {
    const res = await request(service.app)
      .get('/admin/keys')
      .set('Authorization', `Bearer ${await serviceAccessToken(service)}`);
    expect(res.status).toBe(403);
  });

  it('refuses the token of an admin who logged out', async () => {
    const token = await adminAccessToken(service);
    await post('/logout', token);
    const res = await request(service.app)
      .get('/admin/keys')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 400 for a user id that is not a UUID', async () => {
    const res = await post('/admin/users/not-a-uuid/suspend');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('id');
  });

  it('answers 404 for an unknown user', async () => {
    const res = await post('/admin/users/00000000-0000-4000-8000-000000000000/suspend');
    expect(res.status).toBe(404);
  });
});

describe('POST /admin/users/:id/suspend', () => {
  it('refuses the user’s login and refresh, revokes their sessions and emits user.suspended', async () => {
    const user = await registerAndLogIn(service);
    const res = await post(`/admin/users/${user.id}/suspend`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, suspended: true });

    const login = await request(service.app)
      .post('/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ type: problemType('account_suspended') });
    const refresh = await request(service.app)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');

    const session = await service.deps.db.session.findUniqueOrThrow({
      where: { id: jwtPayload(user.accessToken).sid as string },
    });
    expect(session.revokeReason).toBe('user_suspended');
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.suspended' },
    });
    const now = service.clock();
    expect(events.map((e) => e.payload)).toContainEqual({
      userId: user.id,
      suspendedAt: now.toISOString(),
      expiresAt: new Date(
        now.getTime() + (service.config.ACCESS_TOKEN_TTL + service.config.CLOCK_TOLERANCE) * 1000,
      ).toISOString(),
    });
  });

  it('does not tell a wrong password apart for a suspended user', async () => {
    const user = await registerAndLogIn(service);
    await post(`/admin/users/${user.id}/suspend`);
    const res = await request(service.app)
      .post('/login')
      .send({ email: user.email, password: 'wrong' });
    expect(res.status).toBe(401);
  });

  it('emits nothing more when the user is already suspended', async () => {
    const user = await registerAndLogIn(service);
    await post(`/admin/users/${user.id}/suspend`);
    await post(`/admin/users/${user.id}/suspend`);
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.suspended' },
    });
    expect(events.filter((e) => (e.payload as { userId: string }).userId === user.id)).toHaveLength(
      1,
    );
  });

  it('does not let an admin suspend their own account', async () => {
    const res = await post(`/admin/users/${jwtPayload(admin).sub as string}/suspend`);
    expect(res.status).toBe(409);
  });
});

describe('POST /admin/users/:id/unsuspend', () => {
  it('lets the user log in again, keeps older tokens revoked and emits user.unsuspended', async () => {
    const user = await registerAndLogIn(service);
    await post(`/admin/users/${user.id}/suspend`);
    service.clock.advance(5);
    const res = await post(`/admin/users/${user.id}/unsuspend`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ suspended: false });

    const login = await request(service.app)
      .post('/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    // Tokens from before the suspension stay revoked (401); the new one is valid, just not an
    // admin's (403).
    const keys = (token: string) =>
      request(service.app).get('/admin/keys').set('Authorization', `Bearer ${token}`);
    expect((await keys(user.accessToken)).status).toBe(401);
    expect((await keys(login.body.access_token)).status).toBe(403);
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.unsuspended' },
    });
    expect(events.map((e) => e.payload)).toContainEqual({
      userId: user.id,
      unsuspendedAt: service.clock().toISOString(),
    });
  });
});

describe('a suspension lifted within the same second', () => {
  it('issues the next token dated after the suspension, so that no verifier refuses it', async () => {
    const user = await registerAndLogIn(service);
    const suspendedAt = service.clock();
    await post(`/admin/users/${user.id}/suspend`);
    await post(`/admin/users/${user.id}/unsuspend`);
    const login = await request(service.app)
      .post('/login')
      .send({ email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const { iat, exp } = jwtPayload(login.body.access_token) as { iat: number; exp: number };
    expect(iat).toBe(Math.floor(suspendedAt.getTime() / 1000) + 1);
    expect(exp - iat).toBe(service.config.ACCESS_TOKEN_TTL);
    const keys = (token: string) =>
      request(service.app).get('/admin/keys').set('Authorization', `Bearer ${token}`);
    expect((await keys(login.body.access_token)).status).toBe(403);
    expect((await keys(user.accessToken)).status).toBe(401);
  });
});

describe('start-up admin account', () => {
  it('is created once with the admin role, and not again on restart', async () => {
    const restarted = await startTestService({ database: service.database, clock: service.clock });
    await restarted.stop();
    const admins = await service.deps.db.user.findMany({ where: { email: 'admin@example.com' } });
    expect(admins).toHaveLength(1);
    expect(admins[0]!.roles).toEqual(['user', 'admin']);
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.registered' },
    });
    expect(
      events.filter((e) => (e.payload as { email: string }).email === 'admin@example.com'),
    ).toHaveLength(1);
  });

  it('never promotes an account that already had the admin email', async () => {
    const squatter = await registerAndLogIn(service);
    const replica = await startTestService({
      database: service.database,
      env: { ADMIN_EMAIL: squatter.email, ADMIN_PASSWORD: 'another password' },
    });
    await replica.stop();
    const user = await service.deps.db.user.findUniqueOrThrow({ where: { id: squatter.id } });
    expect(user.roles).toEqual(['user']);
  });
});
