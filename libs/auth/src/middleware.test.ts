import { PROBLEM_TYPES_URL } from '@dja/http/errors';
import express from 'express';
import request from 'supertest';
import { type TestIssuer, createTestIssuer } from './testing';
import { authErrorHandler, getPrincipal, requireAuth, requireScope } from './middleware';
import { InMemoryRevocationList } from './revocation-list';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './verify-access-token';

const START = Date.UTC(2030, 0, 1);
const START_S = START / 1000;
let now = START;
const clock = () => now;

let issuer: TestIssuer;
let verifier: AccessTokenVerifier;
let revocations: InMemoryRevocationList;

beforeAll(async () => {
  issuer = await createTestIssuer({ now: clock, audience: 'orders-service' });
});
afterAll(() => issuer.close());

beforeEach(async () => {
  now = START;
  verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: 'orders-service',
    jwksUri: issuer.jwksUri,
    now: clock,
  });
  await verifier.ready();
  revocations = new InMemoryRevocationList({ maxTokenLifetimeSeconds: 900, now: clock });
});

function appWith(
  options: { realm?: string; allowQueryToken?: boolean; allowBodyToken?: boolean } = {},
) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const auth = requireAuth(verifier, { revocations, ...options });
  app.get('/me', auth, (req, res) => {
    res.json({ principal: getPrincipal(req), sameAsReqAuth: req.auth === getPrincipal(req) });
  });
  app.post('/me', auth, (_req, res) => res.json({ ok: true }));
  app.post('/orders', auth, requireScope('orders:write', options), (_req, res) =>
    res.json({ ok: true }),
  );
  app.delete('/orders', auth, requireScope(['orders:write', 'orders:admin']), (_req, res) =>
    res.json({ ok: true }),
  );
  app.use(authErrorHandler());
  return app;
}

/** The RFC 9457 body that goes with every challenge. */
const problem = (code: string, status: number, title: string, detail: string) => ({
  type: `${PROBLEM_TYPES_URL}#${code}`,
  title,
  status,
  detail,
});

const invalidToken = (description: string) =>
  `Bearer error="invalid_token", error_description="${description}"`;
const invalidRequest = (description: string) =>
  `Bearer error="invalid_request", error_description="${description}"`;

async function expectInvalidRequest(test: request.Test, description: string) {
  const response = await test;
  expect(response.status).toBe(400);
  expect(response.headers['www-authenticate']).toBe(invalidRequest(description));
  expect(response.body).toEqual(problem('invalid_request', 400, 'Bad request', description));
}

describe('requireAuth', () => {
  it('puts the principal on the request for a valid token', async () => {
    const token = issuer.mint({ sub: 'user-9', scope: 'orders:read' });
    const response = await request(appWith()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.body.sameAsReqAuth).toBe(true);
    expect(response.body.principal).toMatchObject({ subject: 'user-9', scopes: ['orders:read'] });
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme spelled %s', async (scheme) => {
    const response = await request(appWith())
      .get('/me')
      .set('Authorization', `${scheme} ${issuer.mint()}`);
    expect(response.status).toBe(200);
  });

  it('answers 401 with a bare Bearer challenge when no credentials are sent', async () => {
    const response = await request(appWith()).get('/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(
      problem('unauthorized', 401, 'Unauthorized', 'A bearer access token is required'),
    );
  });

  it('answers 401 with a bare Bearer challenge for another scheme such as Basic', async () => {
    const response = await request(appWith()).get('/me').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('names the realm in the challenge when configured', async () => {
    const app = appWith({ realm: 'orders' });
    const missing = await request(app).get('/me');
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="orders"');
    const invalid = await request(app).get('/me').set('Authorization', 'Bearer abc.def.ghi');
    expect(invalid.headers['www-authenticate']).toBe(
      'Bearer realm="orders", error="invalid_token", error_description="The access token is malformed"',
    );
  });

  it('answers 401 invalid_token for a token with a bad signature', async () => {
    const token = issuer.mint();
    const response = await request(appWith())
      .get('/me')
      .set('Authorization', `Bearer ${token.slice(0, -6)}AAAAAA`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      invalidToken('The access token signature is invalid'),
    );
    expect(response.body).toEqual(
      problem('invalid_token', 401, 'Unauthorized', 'The access token signature is invalid'),
    );
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const token = issuer.mint({ exp: START_S - 60, iat: START_S - 360 });
    const response = await request(appWith()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(invalidToken('The access token expired'));
  });

  it('names the offending claim, never its value', async () => {
    const token = issuer.mint({ aud: 'billing-service' });
    const response = await request(appWith()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(response.headers['www-authenticate']).toBe(
      invalidToken('The access token aud claim is not accepted'),
    );
    expect(response.text).not.toContain('billing-service');
  });

  it('stops serving a cached token once it expires', async () => {
    const app = appWith();
    const token = issuer.mint({ exp: START_S + 60 });
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(
      200,
    );
    now = START + 66_000;
    const response = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(invalidToken('The access token expired'));
  });

  describe('malformed requests (400 invalid_request)', () => {
    it('refuses Bearer without a token', async () => {
      const app = appWith();
      await expectInvalidRequest(
        request(app).get('/me').set('Authorization', 'Bearer'),
        'The Bearer scheme needs a token',
      );
      await expectInvalidRequest(
        request(app).get('/me').set('Authorization', 'Bearer    '),
        'The Bearer scheme needs a token',
      );
    });

    it('refuses a token in both the header and the query', async () => {
      const app = appWith({ allowQueryToken: true });
      const token = issuer.mint();
      await expectInvalidRequest(
        request(app).get(`/me?access_token=${token}`).set('Authorization', `Bearer ${token}`),
        'The access token must be sent in one way only',
      );
    });

    it('refuses a token in the query when query tokens are not enabled, even alongside the header', async () => {
      const app = appWith();
      const token = issuer.mint();
      await expectInvalidRequest(
        request(app).get(`/me?access_token=${token}`),
        'Access tokens are not accepted in the query string',
      );
      await expectInvalidRequest(
        request(app).get(`/me?access_token=${token}`).set('Authorization', `Bearer ${token}`),
        'The access token must be sent in one way only',
      );
    });

    it('refuses a repeated access_token query parameter', async () => {
      const app = appWith({ allowQueryToken: true });
      await expectInvalidRequest(
        request(app).get('/me?access_token=a&access_token=b'),
        'Send the access_token parameter once',
      );
    });

    it('refuses a token in both the header and a form body', async () => {
      const app = appWith({ allowBodyToken: true });
      const token = issuer.mint();
      await expectInvalidRequest(
        request(app)
          .post('/me')
          .set('Authorization', `Bearer ${token}`)
          .type('form')
          .send({ access_token: token }),
        'The access token must be sent in one way only',
      );
    });

    it('refuses two Authorization headers', async () => {
      const app = appWith();
      const token = issuer.mint();
      await expectInvalidRequest(
        request(app)
          .get('/me')
          // superagent sends each array element as its own header line; its types allow
          // arrays only for Cookie.
          .set('Authorization' as 'Cookie', [`Bearer ${token}`, 'Basic dXNlcjpwYXNz']),
        'Send a single Authorization header',
      );
    });

    it('refuses an Authorization header listing several schemes', async () => {
      const app = appWith();
      const token = issuer.mint();
      await expectInvalidRequest(
        request(app).get('/me').set('Authorization', `Basic dXNlcjpwYXNz, Bearer ${token}`),
        'Send a single Authorization scheme',
      );
      await expectInvalidRequest(
        request(app).get('/me').set('Authorization', `Bearer ${token}, Basic dXNlcjpwYXNz`),
        'The Authorization header holds more than a bearer token',
      );
    });
  });

  describe('alternative token locations', () => {
    it('accepts a query token when enabled', async () => {
      const app = appWith({ allowQueryToken: true });
      const response = await request(app).get(`/me?access_token=${issuer.mint()}`);
      expect(response.status).toBe(200);
    });

    it('accepts a form body token when enabled', async () => {
      const app = appWith({ allowBodyToken: true });
      const response = await request(app)
        .post('/me')
        .type('form')
        .send({ access_token: issuer.mint() });
      expect(response.status).toBe(200);
    });

    it('ignores an access_token field in a JSON body', async () => {
      const app = appWith();
      app.use(express.json());
      const response = await request(app).post('/me').send({ access_token: 'x' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('bizarre input is a 4xx, never a 500', () => {
    const app = () => appWith({ allowQueryToken: true });

    it.each([
      ['a 12 KB token', 'a'.repeat(6_000) + '.' + 'b'.repeat(6_000) + '.c'],
      ['a single dot', '.'],
      ['non-ASCII (latin1) bytes', 'eyJ\u00e9.e30.c2ln'],
      ['quotes and backslashes', 'a"b\\c.e30.c2ln'],
      ['a JSON number as JOSE header', `${Buffer.from('1e999').toString('base64url')}.e30.c2ln`],
      [
        'deeply nested JSON as JOSE header',
        `${Buffer.from('{"a":'.repeat(500) + '1' + '}'.repeat(500)).toString('base64url')}.e30.c2ln`,
      ],
      [
        '__proto__ in the JOSE header',
        `${Buffer.from('{"__proto__":{"alg":"RS256"}}').toString('base64url')}.e30.c2ln`,
      ],
    ])('answers 401 for %s in the Authorization header', async (_name, token) => {
      const response = await request(app()).get('/me').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(401);
      expect(response.body.type).toBe(`${PROBLEM_TYPES_URL}#invalid_token`);
    });

    it.each([
      ['a null byte', 'eyJ.e30%00.c2ln'],
      ['unpaired surrogates', 'eyJ.%ED%A0%80.c2ln'],
      ['an emoji', '%F0%9F%94%91.e30.c2ln'],
    ])('answers 401 for %s in a query token', async (_name, token) => {
      const response = await request(app()).get(`/me?access_token=${token}`);
      expect(response.status).toBe(401);
      expect(response.body.type).toBe(`${PROBLEM_TYPES_URL}#invalid_token`);
    });
  });

  it('answers 503 with Retry-After when no verification keys could be loaded', async () => {
    const down = await createTestIssuer({ now: clock });
    down.setAvailable(false);
    try {
      verifier = createAccessTokenVerifier({
        issuer: down.issuer,
        audience: 'orders-service',
        jwksUri: down.jwksUri,
        now: clock,
        jwks: { cooldownMs: 30_000 },
      });
      const response = await request(appWith())
        .get('/me')
        .set('Authorization', `Bearer ${down.mint()}`);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('30');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toEqual(
        problem(
          'service_unavailable',
          503,
          'Service unavailable',
          'Access tokens cannot be verified right now',
        ),
      );
    } finally {
      await down.close();
    }
  });
});

describe('requireScope', () => {
  it('lets a token with the scope through', async () => {
    const token = issuer.mint({ scope: 'orders:read orders:write' });
    const response = await request(appWith())
      .post('/orders')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
  });

  it('answers 403 insufficient_scope naming the scope required', async () => {
    const token = issuer.mint({ scope: 'orders:read' });
    const response = await request(appWith())
      .post('/orders')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="The access token lacks the required scope", scope="orders:write"',
    );
    expect(response.body).toEqual(
      problem('insufficient_scope', 403, 'Forbidden', 'The access token lacks the required scope'),
    );
  });

  it('requires every listed scope', async () => {
    const app = appWith();
    const partial = issuer.mint({ scope: 'orders:write' });
    const denied = await request(app).delete('/orders').set('Authorization', `Bearer ${partial}`);
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toContain('scope="orders:write orders:admin"');
    const full = issuer.mint({ scope: 'orders:admin orders:write' });
    expect(
      (await request(app).delete('/orders').set('Authorization', `Bearer ${full}`)).status,
    ).toBe(200);
  });

  it('does not match scopes by prefix', async () => {
    const token = issuer.mint({ scope: 'orders:writer orders' });
    const response = await request(appWith())
      .post('/orders')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(403);
  });

  it('is a server error when used without requireAuth', async () => {
    const app = express();
    app.get('/', requireScope('a'), (_req, res) => res.end());
    app.use(authErrorHandler());
    app.use(((_error, _req, res, _next) =>
      res.status(500).json({ wiring: true })) as express.ErrorRequestHandler);
    const response = await request(app).get('/');
    expect(response.status).toBe(500);
  });
});

describe('revocation', () => {
  const revokedResponse = invalidToken('The access token has been revoked');

  async function callTwice(token: string) {
    const app = appWith();
    // The first call puts the token in the verified cache; the revocation lands in between.
    const first = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(first.status).toBe(200);
    return () => request(app).get('/me').set('Authorization', `Bearer ${token}`);
  }

  it('refuses a token of a revoked session, even from the verified cache', async () => {
    const again = await callTwice(issuer.mint({ sid: 'session-9' }));
    revocations.revokeSession('session-9');
    const response = await again();
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(revokedResponse);
    expect(verifier.stats().verifiedCache.hits).toBe(1);
  });

  it('refuses a revoked token id, even from the verified cache', async () => {
    const again = await callTwice(issuer.mint({ jti: 'token-9', exp: START_S + 60 }));
    revocations.revokeToken('token-9', START_S + 60);
    expect((await again()).headers['www-authenticate']).toBe(revokedResponse);
    expect(verifier.stats().verifiedCache.hits).toBe(1);
  });

  it('refuses tokens of a revoked user issued at or before the revocation, even from the cache', async () => {
    const again = await callTwice(issuer.mint({ sub: 'user-9', iat: START_S - 10 }));
    revocations.revokeUser('user-9', START_S);
    expect((await again()).headers['www-authenticate']).toBe(revokedResponse);
    const sameSecond = issuer.mint({ sub: 'user-9', iat: START_S });
    const response = await request(appWith())
      .get('/me')
      .set('Authorization', `Bearer ${sameSecond}`);
    expect(response.headers['www-authenticate']).toBe(revokedResponse);
  });

  it('accepts a token issued after a user revocation (the user was unsuspended and logged in again)', async () => {
    revocations.revokeUser('user-9', START_S);
    now = START + 120_000;
    const fresh = issuer.mint({ sub: 'user-9' });
    const response = await request(appWith()).get('/me').set('Authorization', `Bearer ${fresh}`);
    expect(response.status).toBe(200);
  });

  it('does not let a revocation of one user or session affect another', async () => {
    revocations.revokeUser('user-1', START_S);
    revocations.revokeSession('session-1');
    const other = issuer.mint({ sub: 'user-2', sid: 'session-2', iat: START_S - 5 });
    const response = await request(appWith()).get('/me').set('Authorization', `Bearer ${other}`);
    expect(response.status).toBe(200);
  });

  it('consults an asynchronous revocation list too', async () => {
    const app = express();
    app.get(
      '/',
      requireAuth(verifier, {
        revocations: { isRevoked: async (token) => token.subject === 'banned' },
      }),
      (_req, res) => res.end(),
    );
    app.use(authErrorHandler());
    const banned = await request(app)
      .get('/')
      .set('Authorization', `Bearer ${issuer.mint({ sub: 'banned' })}`);
    expect(banned.status).toBe(401);
    const fine = await request(app).get('/').set('Authorization', `Bearer ${issuer.mint()}`);
    expect(fine.status).toBe(200);
  });
});
