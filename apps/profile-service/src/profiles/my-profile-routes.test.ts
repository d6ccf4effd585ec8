import { problemType } from '@dja/http';
import request from 'supertest';
import { newUser, startTestService, type TestService } from '../../test/support/test-service';
import { createProfileOnRegistration } from './profile-store';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(() => service.stop());

async function registered(label = 'user', name?: string) {
  const user = newUser(label);
  await createProfileOnRegistration(
    service.deps.db,
    { userId: user.id, email: user.email, name },
    new Date(),
  );
  return user;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('GET /profile/me', () => {
  it('returns the caller’s profile', async () => {
    const user = await registered('ada', 'Ada Lovelace');
    const res = await request(service.app)
      .get('/profile/me')
      .set(bearer(service.userToken(user)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: user.id,
      email: user.email,
      displayName: 'Ada Lovelace',
      bio: null,
      locale: null,
      timeZone: null,
      updatedAt: expect.any(String),
    });
    expect(res.headers['x-served-by']).toBe('profile-service-test');
  });

  it('answers 404 while the registration event has not been processed', async () => {
    const user = newUser();
    const res = await request(service.app)
      .get('/profile/me')
      .set(bearer(service.userToken(user)));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(problemType('not_found'));
  });

  it('answers 401 with an RFC 6750 challenge without a token', async () => {
    const res = await request(service.app).get('/profile/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="profile-service"/);
  });

  it('answers 401 invalid_token for a token signed by another key', async () => {
    const user = await registered();
    const token = service.userToken(user);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const res = await request(service.app).get('/profile/me').set(bearer(forged));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 401 for a token meant for another audience', async () => {
    const user = await registered();
    const token = service.userToken(user, { aud: 'orders' });
    const res = await request(service.app).get('/profile/me').set(bearer(token));
    expect(res.status).toBe(401);
  });

  it('answers 401 for a token of a revoked session', async () => {
    const user = await registered();
    const token = service.userToken(user, { sid: 'session-to-revoke' });
    service.revocations.revokeSession('session-to-revoke');
    const res = await request(service.app).get('/profile/me').set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 403 insufficient_scope without profile:me', async () => {
    const user = await registered();
    const token = service.userToken(user, { scope: 'orders:read' });
    const res = await request(service.app).get('/profile/me').set(bearer(token));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(res.headers['www-authenticate']).toMatch(/scope="profile:me"/);
  });

  it('refuses a service token, which has no "me"', async () => {
    const token = service.serviceToken('profile:me');
    const res = await request(service.app).get('/profile/me').set(bearer(token));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('PUT /profile/me', () => {
  const put = (token: string) =>
    request(service.app).put('/profile/me').set(bearer(token)).type('json');

  it('replaces the editable fields and returns the profile', async () => {
    const user = await registered();
    const res = await put(service.userToken(user)).send({
      displayName: '  Grace Hopper  ',
      bio: 'Rear admiral.\nCompiler pioneer.',
      locale: 'en-US',
      timeZone: 'America/New_York',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: user.id,
      email: user.email,
      displayName: 'Grace Hopper',
      bio: 'Rear admiral.\nCompiler pioneer.',
      locale: 'en-US',
      timeZone: 'America/New_York',
    });
    const read = await request(service.app)
      .get('/profile/me')
      .set(bearer(service.userToken(user)));
    expect(read.body).toEqual(res.body);
  });

  it('clears optional fields left out, as a PUT replaces the profile', async () => {
    const user = await registered();
    const token = service.userToken(user);
    await put(token).send({ displayName: 'A', bio: 'b', locale: 'fr', timeZone: 'Europe/Paris' });
    const res = await put(token).send({ displayName: 'A' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ bio: null, locale: null, timeZone: null });
  });

  it('stores the canonical spelling of a time zone', async () => {
    const user = await registered();
    const res = await put(service.userToken(user)).send({
      displayName: 'Z',
      timeZone: 'europe/paris',
    });
    expect(res.status).toBe(200);
    expect(res.body.timeZone).toBe('Europe/Paris');
  });

  it('answers 404 before user.registered has created the profile, and creates nothing', async () => {
    const user = newUser();
    const res = await put(service.userToken(user)).send({ displayName: 'Early Bird' });
    expect(res.status).toBe(404);
    expect(await service.deps.db.profile.count({ where: { userId: user.id } })).toBe(0);
  });

  it('never changes another user’s profile: the body cannot name a user', async () => {
    const alice = await registered('alice', 'Alice');
    const bob = await registered('bob', 'Bob');
    const res = await put(service.userToken(alice)).send({
      displayName: 'Mallory',
      userId: bob.id,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body' })]);
    const bobs = await service.deps.db.profile.findUniqueOrThrow({ where: { userId: bob.id } });
    expect(bobs.displayName).toBe('Bob');
    const alices = await service.deps.db.profile.findUniqueOrThrow({ where: { userId: alice.id } });
    expect(alices.displayName).toBe('Alice');
  });

  it('answers 403 insufficient_scope without profile:me', async () => {
    const user = await registered();
    const res = await put(service.userToken(user, { scope: 'orders:write' })).send({
      displayName: 'X',
    });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it('answers 401 before looking at the body without a token', async () => {
    const res = await request(service.app).put('/profile/me').send({ displayName: 'X' });
    expect(res.status).toBe(401);
  });

  describe('refuses bad input with a 400 problem naming the fields', () => {
    const cases: Array<[string, unknown, string[]]> = [
      ['a missing displayName', {}, ['displayName']],
      ['an empty displayName', { displayName: '' }, ['displayName']],
      ['a blank displayName', { displayName: '   ' }, ['displayName']],
      ['a displayName over 100 characters', { displayName: 'x'.repeat(101) }, ['displayName']],
      ['a displayName with a control character', { displayName: 'a\u0007b' }, ['displayName']],
      ['a displayName with a line break', { displayName: 'a\nb' }, ['displayName']],
      ['a displayName of the wrong type', { displayName: 42 }, ['displayName']],
      ['a bio over 500 characters', { displayName: 'A', bio: 'x'.repeat(501) }, ['bio']],
      ['a bio with a control character', { displayName: 'A', bio: 'a\u001bb' }, ['bio']],
      ['a malformed locale', { displayName: 'A', locale: 'english' }, ['locale']],
      ['a lower-case region', { displayName: 'A', locale: 'en-us' }, ['locale']],
      ['an unknown time zone', { displayName: 'A', timeZone: 'Mars/Olympus_Mons' }, ['timeZone']],
      ['a time zone of the wrong type', { displayName: 'A', timeZone: 1 }, ['timeZone']],
      ['several bad fields', { displayName: '', locale: 'x' }, ['displayName', 'locale']],
      ['an unknown field', { displayName: 'A', email: 'new@example.com' }, ['body']],
      ['an array', [], ['body']],
    ];
    it.each(cases)('%s', async (_name, body, fields) => {
      const user = await registered();
      const res = await put(service.userToken(user)).send(JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    });
  });

  it('answers 400 for malformed JSON', async () => {
    const user = await registered();
    const res = await put(service.userToken(user)).send('{"displayName": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 400 for a missing body', async () => {
    const user = await registered();
    const res = await request(service.app)
      .put('/profile/me')
      .set(bearer(service.userToken(user)));
    expect(res.status).toBe(400);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const user = await registered();
    const res = await request(service.app)
      .put('/profile/me')
      .set(bearer(service.userToken(user)))
      .type('form')
      .send('displayName=X');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 413 for a huge body', async () => {
    const user = await registered();
    const res = await put(service.userToken(user)).send({
      displayName: 'A',
      bio: 'x'.repeat(100_000),
    });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
