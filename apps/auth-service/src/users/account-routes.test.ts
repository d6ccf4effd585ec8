import request from 'supertest';
import {
  jwtHeader,
  jwtPayload,
  registerAndLogIn,
  startTestService,
  uniqueEmail,
  useTestService,
} from '../../test/support/test-service';

const service = useTestService();

describe('POST /register', () => {
  it('creates a user with a normalised email and answers 201 with its id', async () => {
    const email = uniqueEmail('Mixed');
    const res = await request(service.app)
      .post('/register')
      .send({ email: `  ${email.toUpperCase()} `, password: 'long enough password', name: 'Ann' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      name: 'Ann',
    });
  });

  it('stores the password as an argon2id hash with OWASP parameters', async () => {
    const email = uniqueEmail();
    await request(service.app).post('/register').send({ email, password: 'long enough password' });
    const user = await service.deps.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user.passwordHash).not.toContain('long enough password');
  });

  it('writes user.registered to the outbox in the same transaction as the user', async () => {
    const email = uniqueEmail();
    const res = await request(service.app).post('/register').send({ email, password: 'password1' });
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.registered' },
    });
    const event = events.find((e) => (e.payload as { userId: string }).userId === res.body.id);
    expect(event).toMatchObject({
      payload: { userId: res.body.id, email, name: null },
      publishedAt: null,
      attempts: 0,
    });
    expect(event?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates no user when its event cannot be written to the outbox', async () => {
    const broken = await startTestService();
    try {
      // Every outbox insert now fails: the user insert in the same transaction must roll back.
      await broken.deps.db.$executeRawUnsafe(
        'ALTER TABLE outbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID',
      );
      const email = uniqueEmail();
      const res = await request(broken.app)
        .post('/register')
        .send({ email, password: 'password1' });
      expect(res.status).toBe(500);
      expect(await broken.deps.db.user.findUnique({ where: { email } })).toBeNull();
    } finally {
      await broken.stop();
    }
  });

  it('answers 409 for an email already registered, whatever its case', async () => {
    const email = uniqueEmail();
    await request(service.app).post('/register').send({ email, password: 'password1' });
    const res = await request(service.app)
      .post('/register')
      .send({ email: email.toUpperCase(), password: 'password2' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('does not leave a user.registered event behind when the email is taken', async () => {
    const email = uniqueEmail();
    await request(service.app).post('/register').send({ email, password: 'password1' });
    await request(service.app).post('/register').send({ email, password: 'password2' });
    const events = await service.deps.db.outboxEvent.findMany({
      where: { type: 'user.registered' },
    });
    expect(events.filter((e) => (e.payload as { email: string }).email === email)).toHaveLength(1);
  });

  it.each([
    ['a missing email and password', {}, ['email', 'password']],
    ['a malformed email', { email: 'not-an-email', password: 'password1' }, ['email']],
    [
      'a password shorter than 8 characters',
      { email: 'a@example.com', password: 'short' },
      ['password'],
    ],
    [
      'a password longer than 1024 characters',
      { email: 'a@example.com', password: 'x'.repeat(1025) },
      ['password'],
    ],
    [
      'fields of the wrong type',
      { email: 42, password: ['x'], name: {} },
      ['email', 'name', 'password'],
    ],
  ])('answers 400 naming the fields for %s', async (_case, body, fields) => {
    const res = await request(service.app).post('/register').send(body);
    expect(res.status).toBe(400);
    const named = new Set(res.body.errors.map((e: { field: string }) => e.field));
    expect([...named].sort()).toEqual(fields);
  });

  it('accepts a long passphrase of 1024 characters', async () => {
    const res = await request(service.app)
      .post('/register')
      .send({ email: uniqueEmail(), password: 'p'.repeat(1024) });
    expect(res.status).toBe(201);
  });

  it('answers 400 for malformed JSON, 413 for a huge body and 415 for another media type', async () => {
    const malformed = await request(service.app)
      .post('/register')
      .set('Content-Type', 'application/json')
      .send('{"email":');
    expect(malformed.status).toBe(400);
    const huge = await request(service.app)
      .post('/register')
      .send({ email: uniqueEmail(), password: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    const form = await request(service.app)
      .post('/register')
      .type('form')
      .send({ email: uniqueEmail(), password: 'password1' });
    expect(form.status).toBe(415);
  });
});

describe('POST /login', () => {
  it('answers an RFC 6749 token response that must not be cached', async () => {
    const email = uniqueEmail();
    await request(service.app).post('/register').send({ email, password: 'password1' });
    const res = await request(service.app).post('/login').send({ email, password: 'password1' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: 'orders:read orders:write profile:me notifications:read',
    });
  });

  it('issues an RS256 at+jwt with the claims resource services need and nothing secret', async () => {
    const user = await registerAndLogIn(service);
    expect(jwtHeader(user.accessToken)).toEqual({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: service.deps.keys.signingKey().kid,
    });
    const payload = jwtPayload(user.accessToken);
    const now = Math.floor(service.clock().getTime() / 1000);
    expect(payload).toEqual({
      iss: 'http://127.0.0.1:8080/auth',
      sub: user.id,
      aud: ['orders', 'profile', 'notifications', 'auth'],
      iat: now,
      exp: now + 300,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'orders:read orders:write profile:me notifications:read',
      roles: ['user'],
      client_id: 'first-party',
    });
    const text = JSON.stringify(payload);
    expect(text).not.toMatch(/argon2|password|correct horse/i);
  });

  it('finds the account whatever the case and spacing of the email', async () => {
    const user = await registerAndLogIn(service);
    const res = await request(service.app)
      .post('/login')
      .send({ email: ` ${user.email.toUpperCase()}`, password: user.password });
    expect(res.status).toBe(200);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const user = await registerAndLogIn(service);
    const wrongPassword = await request(service.app)
      .post('/login')
      .send({ email: user.email, password: 'wrong password' });
    const unknownUser = await request(service.app)
      .post('/login')
      .send({ email: uniqueEmail('nobody'), password: 'wrong password' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
    expect(unknownUser.headers['content-type']).toBe(wrongPassword.headers['content-type']);
  });

  it('verifies an unknown email against a dummy argon2 hash, as it would a real one', async () => {
    const verify = jest.spyOn(service.deps.passwords, 'verify');
    await request(service.app)
      .post('/login')
      .send({ email: uniqueEmail('ghost'), password: 'x' });
    expect(verify).toHaveBeenCalledWith(undefined, 'x');
    await expect(verify.mock.results[0]!.value).resolves.toBe(false);
    verify.mockRestore();
  });

  it('answers 400 naming the fields for bad input and 415 for a form body', async () => {
    const missing = await request(service.app).post('/login').send({ email: 'a@example.com' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);
    const wrongType = await request(service.app).post('/login').send({ email: [], password: 1 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'email',
      'password',
    ]);
    const noBody = await request(service.app).post('/login');
    expect(noBody.status).toBe(400);
    const form = await request(service.app).post('/login').type('form').send('email=a&password=b');
    expect(form.status).toBe(415);
  });
});
