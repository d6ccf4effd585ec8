import request from 'supertest';
import { newUser, startTestService, type TestService } from '../../test/support/test-service';
import { createProfileOnRegistration } from './profile-store';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(() => service.stop());

async function registered(name?: string) {
  const user = newUser();
  await createProfileOnRegistration(
    service.deps.db,
    { userId: user.id, email: user.email, name },
    new Date(),
  );
  return user;
}

const get = (userId: string, token?: string) => {
  const req = request(service.app).get(`/profiles/${userId}`);
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
};

describe('GET /profiles/:userId', () => {
  it('lets a service token with profile:read read any profile', async () => {
    const user = await registered('Linus');
    const res = await get(user.id, service.serviceToken('profile:read'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: user.id,
      displayName: 'Linus',
      email: user.email,
      locale: null,
      timeZone: null,
    });
  });

  it('shows the profile as the user last saved it, without the bio', async () => {
    const user = await registered();
    await request(service.app)
      .put('/profile/me')
      .set('Authorization', `Bearer ${service.userToken(user)}`)
      .send({ displayName: 'Ola', bio: 'private-ish', locale: 'nb-NO', timeZone: 'Europe/Oslo' })
      .expect(200);
    const res = await get(user.id, service.serviceToken('profile:read'));
    expect(res.body).toEqual({
      userId: user.id,
      displayName: 'Ola',
      email: user.email,
      locale: 'nb-NO',
      timeZone: 'Europe/Oslo',
    });
  });

  it('answers 404 for a user without a profile', async () => {
    const res = await get(newUser().id, service.serviceToken('profile:read'));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 400 naming userId for an id that is not a UUID', async () => {
    const res = await get('not-a-uuid', service.serviceToken('profile:read'));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'userId' })]);
  });

  it('refuses a user token with 403 insufficient_scope, even for the user’s own id', async () => {
    const user = await registered();
    const res = await get(user.id, service.userToken(user));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(res.headers['www-authenticate']).toMatch(/scope="profile:read"/);
  });

  it('refuses user A reading user B’s profile', async () => {
    const alice = await registered();
    const bob = await registered();
    const res = await get(bob.id, service.userToken(alice));
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain(bob.email);
  });

  it('refuses a user token that somehow carries profile:read', async () => {
    const alice = await registered();
    const bob = await registered();
    const res = await get(bob.id, service.userToken(alice, { scope: 'profile:me profile:read' }));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it('refuses a token with profile:read and roles but no session', async () => {
    const bob = await registered();
    const token = service.serviceToken('profile:read', { roles: ['admin'] });
    expect((await get(bob.id, token)).status).toBe(403);
  });

  it('refuses a service token without profile:read', async () => {
    const bob = await registered();
    const res = await get(bob.id, service.serviceToken('orders:read'));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it('answers 401 without a token', async () => {
    const bob = await registered();
    const res = await get(bob.id);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 to an expired service token', async () => {
    const bob = await registered();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = service.serviceToken('profile:read', { iat: past, exp: past + 300 });
    const res = await get(bob.id, token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });
});
