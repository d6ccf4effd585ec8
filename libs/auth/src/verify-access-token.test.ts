import { createHmac } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import {
  type TestIssuer,
  createRequestRecorder,
  createTestIssuer,
  generateTestKey,
} from './testing';
import { type AuthErrorCode, isAuthError } from './errors';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './verify-access-token';

const NOW = Date.UTC(2030, 0, 1); // frozen clock, epoch ms
const NOW_S = NOW / 1000;
const clock = () => NOW;

let issuer: TestIssuer;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer({ now: clock });
  verifier = verifierFor(issuer);
  await verifier.ready();
});
afterAll(() => issuer.close());

function verifierFor(
  testIssuer: TestIssuer,
  options: Partial<Parameters<typeof createAccessTokenVerifier>[0]> = {},
): AccessTokenVerifier {
  return createAccessTokenVerifier({
    issuer: testIssuer.issuer,
    audience: testIssuer.audience,
    jwksUri: testIssuer.jwksUri,
    now: clock,
    verifiedCacheMaxEntries: 0,
    ...options,
  });
}

async function rejection(
  token: string,
  using = verifier,
): Promise<{ code: AuthErrorCode; claim?: string }> {
  try {
    await using.verify(token);
  } catch (error) {
    if (!isAuthError(error)) throw error;
    return {
      code: error.code,
      ...('claim' in error && error.claim ? { claim: String(error.claim) } : {}),
    };
  }
  throw new Error('token was accepted');
}

const segments = (token: string) => token.split('.') as [string, string, string];
const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('createAccessTokenVerifier accepts', () => {
  it('accepts a valid token and returns its principal', async () => {
    const token = issuer.mint({
      sub: 'user-42',
      sid: 'session-7',
      jti: 'token-1',
      scope: 'orders:read  orders:write',
      roles: ['customer'],
      email: 'ada@example.test', // an extra claim is ignored, never passed on
    });
    await expect(verifier.verify(token)).resolves.toEqual({
      subject: 'user-42',
      sessionId: 'session-7',
      clientId: 'test-client',
      tokenId: 'token-1',
      scopes: ['orders:read', 'orders:write'],
      roles: ['customer'],
      issuedAt: NOW_S,
      expiresAt: NOW_S + 300,
      audience: ['test-service'],
    });
  });

  it('accepts a service token without sid and scope', async () => {
    const principal = await verifier.verify(
      issuer.mint({ sub: 'billing-service', client_id: 'billing-service', sid: undefined }),
    );
    expect(principal.sessionId).toBeUndefined();
    expect(principal.clientId).toBe('billing-service');
    expect(principal.scopes).toEqual([]);
  });

  it('accepts an aud list that includes this service', async () => {
    const principal = await verifier.verify(issuer.mint({ aud: ['other', 'test-service'] }));
    expect(principal.audience).toEqual(['other', 'test-service']);
  });

  it.each(['application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])('accepts typ %s', async (typ) => {
    await expect(verifier.verify(issuer.mint({}, { header: { typ } }))).resolves.toBeDefined();
  });

  it('accepts a token signed by jose SignJWT, as auth-service signs them', async () => {
    const privateJwk = issuer.currentKey.privateKey.export({ format: 'jwk' });
    const token = await new SignJWT({ sid: 's', client_id: 'c', scope: 'a' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: issuer.currentKey.kid })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setSubject('user-1')
      .setJti('jti-1')
      .setIssuedAt(NOW_S)
      .setExpirationTime(NOW_S + 60)
      .sign(await importJWK(privateJwk, 'RS256'));
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-1' });
  });

  it('decodes non-ASCII claims, in one token after another and in tokens of any allowed length', async () => {
    const roomy = verifierFor(issuer, { maxTokenLength: 16_384 });
    // One verifier decodes each token into the same space: nothing of one may leak into the next.
    for (const [sub, padding] of [
      ['Zoë-ß-漢字', 'x'.repeat(6000)],
      ['a', ''],
      ['Ünïcødé 😀', 'y'.repeat(9000)], // longer than the 8 KiB space: Buffers of its own
      ['b', 'z'],
    ]) {
      const token = issuer.mint({ sub, padding });
      await expect(roomy.verify(token)).resolves.toMatchObject({ subject: sub });
    }
  });

  it('returns a frozen principal', async () => {
    const principal = await verifier.verify(issuer.mint({ scope: 'a' }));
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.scopes)).toBe(true);
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    await expect(verifier.verify(issuer.mint({ exp: NOW_S - 4 }))).resolves.toBeDefined();
  });
});

describe('createAccessTokenVerifier rejects', () => {
  it.each(['none', 'NONE', 'nOnE'])('rejects a token whose alg is %s', async (alg) => {
    expect(await rejection(issuer.mint({}, { header: { alg } }))).toEqual({
      code: 'ERR_TOKEN_ALGORITHM',
    });
  });

  it('rejects a token whose alg is none even with a signature attached', async () => {
    const [header, payload, signature] = segments(issuer.mint());
    const none = b64(
      JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), alg: 'none' }),
    );
    expect(await rejection(`${none}.${payload}.${signature}`)).toEqual({
      code: 'ERR_TOKEN_ALGORITHM',
    });
  });

  it('rejects an HS256 token keyed with the public key in PEM form', async () => {
    const pem = issuer.currentKey.publicKey.export({ format: 'pem', type: 'spki' });
    const token = issuer.mint(
      {},
      {
        header: { alg: 'HS256' },
        sign: (input) => createHmac('sha256', pem).update(input).digest(),
      },
    );
    expect(await rejection(token)).toEqual({ code: 'ERR_TOKEN_ALGORITHM' });
  });

  it('rejects an HS256 token keyed with the public key in JWK form', async () => {
    const jwk = JSON.stringify(issuer.currentKey.publicJwk);
    const token = issuer.mint(
      {},
      {
        header: { alg: 'HS256' },
        sign: (input) => createHmac('sha256', jwk).update(input).digest(),
      },
    );
    expect(await rejection(token)).toEqual({ code: 'ERR_TOKEN_ALGORITHM' });
  });

  it.each(['RS384', 'RS512', 'PS256'])(
    'rejects a token signed %s with the same RSA key',
    async (alg) => {
      expect(await rejection(issuer.mint({}, { header: { alg } }))).toEqual({
        code: 'ERR_TOKEN_ALGORITHM',
      });
    },
  );

  it('rejects an RS256 token whose signature was made with RS384', async () => {
    const rs384 = segments(issuer.mint({}, { header: { alg: 'RS384' } }));
    const rs256 = segments(issuer.mint());
    expect(await rejection(`${rs256[0]}.${rs384[1]}.${rs384[2]}`)).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  it('rejects a token whose signature is stripped', async () => {
    const [header, payload] = segments(issuer.mint());
    expect(await rejection(`${header}.${payload}.`)).toEqual({ code: 'ERR_TOKEN_SIGNATURE' });
  });

  it('rejects a token whose signature is altered', async () => {
    const [header, payload, signature] = segments(issuer.mint());
    const bytes = Buffer.from(signature, 'base64url');
    bytes[10] = (bytes[10] as number) ^ 1;
    expect(await rejection(`${header}.${payload}.${bytes.toString('base64url')}`)).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  // One token alone is checked on the event loop; tokens that arrive together go to the pool.
  it('rejects altered signatures and accepts valid tokens within one burst of verifications', async () => {
    const alter = (token: string) => {
      const [header, payload, signature] = segments(token);
      const bytes = Buffer.from(signature, 'base64url');
      bytes[10] = (bytes[10] as number) ^ 1;
      return `${header}.${payload}.${bytes.toString('base64url')}`;
    };
    const tokens = Array.from({ length: 8 }, (_, n) => issuer.mint({ sub: `user-${n}` }));
    const outcomes = await Promise.allSettled(
      tokens.map((token, n) => verifier.verify(n % 2 === 0 ? token : alter(token))),
    );
    expect(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value.subject : o.reason.code)),
    ).toEqual(tokens.map((_, n) => (n % 2 === 0 ? `user-${n}` : 'ERR_TOKEN_SIGNATURE')));
  });

  it('rejects a token whose signature is truncated', async () => {
    const [header, payload, signature] = segments(issuer.mint());
    expect(await rejection(`${header}.${payload}.${signature.slice(0, -4)}`)).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  it('rejects a token signed by a key the issuer does not publish, under a published kid', async () => {
    const stranger = await generateTestKey({ kid: issuer.currentKey.kid });
    expect(await rejection(issuer.mint({}, { key: stranger }))).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  it('rejects a token whose payload has one character changed', async () => {
    const [header, payload, signature] = segments(issuer.mint({ sub: 'user-1' }));
    const json = Buffer.from(payload, 'base64url').toString().replace('user-1', 'user-2');
    expect(await rejection(`${header}.${b64(json)}.${signature}`)).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  it('rejects a token whose payload has one base64url character changed', async () => {
    const [header, payload, signature] = segments(issuer.mint());
    const changed = payload.slice(0, 20) + (payload[20] === 'A' ? 'B' : 'A') + payload.slice(21);
    expect(await rejection(`${header}.${changed}.${signature}`)).toEqual({
      code: 'ERR_TOKEN_SIGNATURE',
    });
  });

  it('rejects an expired token', async () => {
    expect(await rejection(issuer.mint({ iat: NOW_S - 600, exp: NOW_S - 5 }))).toEqual({
      code: 'ERR_TOKEN_EXPIRED',
      claim: 'exp',
    });
  });

  it('rejects a token that is not yet valid (nbf)', async () => {
    expect(await rejection(issuer.mint({ nbf: NOW_S + 6 }))).toEqual({
      code: 'ERR_TOKEN_NOT_YET_VALID',
      claim: 'nbf',
    });
  });

  it('rejects a token issued in the future beyond the clock tolerance', async () => {
    expect(await rejection(issuer.mint({ iat: NOW_S + 6, exp: NOW_S + 300 }))).toEqual({
      code: 'ERR_TOKEN_NOT_YET_VALID',
      claim: 'iat',
    });
  });

  it('accepts a token issued in the future within the clock tolerance', async () => {
    await expect(verifier.verify(issuer.mint({ iat: NOW_S + 5 }))).resolves.toBeDefined();
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.test' }, 'iss'],
    ['a missing issuer', { iss: undefined }, 'iss'],
    ['a wrong audience', { aud: 'other-service' }, 'aud'],
    ['a missing audience', { aud: undefined }, 'aud'],
    ['an audience list without this service', { aud: ['a', 'b'] }, 'aud'],
    ['a missing exp', { exp: undefined }, 'exp'],
    ['an exp given as a string', { exp: String(NOW_S + 60) }, 'exp'],
    ['a missing iat', { iat: undefined }, 'iat'],
    ['a missing sub', { sub: undefined }, 'sub'],
    ['an empty sub', { sub: '' }, 'sub'],
    ['a numeric sub', { sub: 42 }, 'sub'],
    ['a missing jti', { jti: undefined }, 'jti'],
    ['a non-string sid', { sid: 7 }, 'sid'],
    ['a scope list instead of a string', { scope: ['a'] }, 'scope'],
    ['roles that are not strings', { roles: [1] }, 'roles'],
  ])('rejects a token with %s', async (_name, claims, claim) => {
    expect(await rejection(issuer.mint(claims))).toEqual({ code: 'ERR_TOKEN_CLAIM', claim });
  });

  it('rejects a token living longer than maxLifetimeSeconds', async () => {
    const strict = verifierFor(issuer, { maxLifetimeSeconds: 900 });
    expect(await rejection(issuer.mint({ exp: NOW_S + 901 }), strict)).toEqual({
      code: 'ERR_TOKEN_CLAIM',
      claim: 'exp',
    });
  });

  it.each([
    ['a wrong typ', { typ: 'JWT' }],
    ['a missing typ', { typ: undefined }],
    ['a typ that only contains at+jwt', { typ: 'application/at+jwt; x' }],
    [
      'a crit header naming an unknown extension',
      { crit: ['urn:example:ext'], 'urn:example:ext': 1 },
    ],
    ['a crit header with b64', { crit: ['b64'], b64: false }],
    ['an embedded jwk header', { jwk: {} }],
    ['an x5c header', { x5c: ['MIIB'] }],
    ['a numeric kid', { kid: 1 }],
    ['an empty kid', { kid: '' }],
  ])('rejects a token with %s', async (_name, header) => {
    expect(await rejection(issuer.mint({}, { header }))).toEqual({ code: 'ERR_TOKEN_HEADER' });
  });

  it('rejects a token embedding its own signing key as jwk', async () => {
    const attacker = await generateTestKey();
    const token = issuer.mint(
      {},
      { key: attacker, header: { jwk: attacker.publicJwk, kid: undefined } },
    );
    expect(await rejection(token)).toEqual({ code: 'ERR_TOKEN_HEADER' });
  });

  it.each(['jku', 'x5u'])('rejects a %s header and never requests its URL', async (name) => {
    const recorder = await createRequestRecorder();
    try {
      const token = issuer.mint({}, { header: { [name]: `${recorder.url}keys.json` } });
      expect(await rejection(token)).toEqual({ code: 'ERR_TOKEN_HEADER' });
      // Give a stray fetch every chance to arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(recorder.requests).toEqual([]);
    } finally {
      await recorder.close();
    }
  });

  it('rejects a token whose kid is unknown', async () => {
    expect(await rejection(issuer.mint({}, { header: { kid: 'unknown-kid' } }))).toEqual({
      code: 'ERR_TOKEN_KEY_NOT_FOUND',
    });
  });

  it('rejects a token without kid while several keys are published', async () => {
    const several = await createTestIssuer({ keys: 2, now: clock });
    try {
      const severalVerifier = verifierFor(several);
      await severalVerifier.ready();
      const token = several.mint({}, { header: { kid: undefined } });
      expect(await rejection(token, severalVerifier)).toEqual({ code: 'ERR_TOKEN_KEY_NOT_FOUND' });
      expect(several.fetchCount).toBe(1);
    } finally {
      await several.close();
    }
  });

  it('accepts a token without kid when exactly one key is published', async () => {
    const single = await createTestIssuer({
      keys: [await generateTestKey({ kid: null })],
      now: clock,
    });
    try {
      const token = single.mint();
      expect(
        JSON.parse(Buffer.from(segments(token)[0], 'base64url').toString()),
      ).not.toHaveProperty('kid');
      await expect(verifierFor(single).verify(token)).resolves.toBeDefined();
    } finally {
      await single.close();
    }
  });

  it.each([
    ['an empty token', ''],
    ['a token with 2 segments', 'eyJhbGciOiJSUzI1NiJ9.e30'],
    ['a token with 4 segments', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln.c2ln'],
    ['a token with padding', 'eyJhbGciOiJSUzI1NiJ9.e30=.c2ln'],
    ['a token with base64 (not base64url) characters', 'eyJhbGciOiJSUzI1NiJ9.e3+/.c2ln'],
    ['a token with non-ASCII characters', 'eyJhbGciOiJSUzI1NiJ9.é.c2ln'],
    ['a token with a null byte', 'eyJhbGciOiJSUzI1NiJ9.e30\u0000.c2ln'],
    ['a header that is not JSON', `${b64('{"alg":"RS256"')}.e30.c2ln`],
    ['a header that is a JSON array', `${b64('["RS256"]')}.e30.c2ln`],
    ['a header that is JSON null', `${b64('null')}.e30.c2ln`],
    ['a header of impossible base64url length', 'eyJhbGciOiJSUzI1NiJ9A.e30.c2ln'],
    ['a deeply nested header', `${b64('['.repeat(1000) + ']'.repeat(1000))}.e30.c2ln`],
  ])('rejects %s as malformed', async (_name, token) => {
    expect(await rejection(token)).toEqual({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('rejects a validly signed token whose payload is not JSON', async () => {
    expect(await rejection(issuer.mint({}, { rawPayload: '{"sub":' }))).toEqual({
      code: 'ERR_TOKEN_MALFORMED',
    });
  });

  it('rejects a validly signed token whose payload is a JSON array', async () => {
    expect(await rejection(issuer.mint({}, { rawPayload: '[1,2]' }))).toEqual({
      code: 'ERR_TOKEN_MALFORMED',
    });
  });

  it('rejects a token longer than maxTokenLength before decoding it', async () => {
    const huge = issuer.mint({ padding: 'x'.repeat(5000) });
    expect(await rejection(huge)).toEqual({ code: 'ERR_TOKEN_MALFORMED' });
    const roomy = verifierFor(issuer, { maxTokenLength: 16_384 });
    await expect(roomy.verify(huge)).resolves.toBeDefined();
  });

  it('rejects a megabyte of garbage as malformed', async () => {
    expect(await rejection('a.'.repeat(500_000))).toEqual({ code: 'ERR_TOKEN_MALFORMED' });
  });

  it('rejects input that is not a string as malformed', async () => {
    expect(await rejection(null as unknown as string)).toEqual({ code: 'ERR_TOKEN_MALFORMED' });
  });
});

describe('the verified-token cache', () => {
  it('serves a repeated token without verifying it again', async () => {
    const cached = verifierFor(issuer, { verifiedCacheMaxEntries: 10 });
    const token = issuer.mint();
    const first = await cached.verify(token);
    expect(await cached.verify(token)).toBe(first);
    expect(cached.stats().verifiedCache).toEqual({ size: 1, hits: 1, misses: 1 });
  });

  it('never serves a cached token past its exp', async () => {
    let now = NOW;
    const cached = verifierFor(issuer, { verifiedCacheMaxEntries: 10, now: () => now });
    const token = issuer.mint({ exp: NOW_S + 60 });
    await cached.verify(token);
    now = NOW + 59_000;
    await expect(cached.verify(token)).resolves.toBeDefined();
    now = NOW + 60_000;
    // Past exp the cache answers nothing and a full verification applies the tolerance.
    await expect(cached.verify(token)).resolves.toBeDefined();
    expect(cached.stats().verifiedCache.hits).toBe(1);
    now = NOW + 65_000;
    expect(await rejection(token, cached)).toEqual({ code: 'ERR_TOKEN_EXPIRED', claim: 'exp' });
  });

  it('holds at most verifiedCacheMaxEntries tokens, evicting the least recently used', async () => {
    const cached = verifierFor(issuer, { verifiedCacheMaxEntries: 2 });
    const [a, b, c] = [issuer.mint(), issuer.mint(), issuer.mint()];
    await cached.verify(a);
    await cached.verify(b);
    await cached.verify(a); // a is now more recent than b
    await cached.verify(c); // evicts b
    expect(cached.stats().verifiedCache).toMatchObject({ size: 2, hits: 1, misses: 3 });
    await cached.verify(a);
    expect(cached.stats().verifiedCache.hits).toBe(2);
    await cached.verify(b);
    expect(cached.stats().verifiedCache.misses).toBe(4);
  });

  it('does not cache rejected tokens', async () => {
    const cached = verifierFor(issuer, { verifiedCacheMaxEntries: 10 });
    await rejection(issuer.mint({ iss: 'https://evil.test' }), cached);
    expect(cached.stats().verifiedCache.size).toBe(0);
  });
});

describe('createAccessTokenVerifier options', () => {
  it('refuses to start without issuer, audience or a http(s) jwksUri', () => {
    const valid = { issuer: 'https://a', audience: 'b', jwksUri: 'http://127.0.0.1/jwks' };
    expect(() => createAccessTokenVerifier({ ...valid, issuer: '' })).toThrow(/issuer/);
    expect(() => createAccessTokenVerifier({ ...valid, audience: '' })).toThrow(/audience/);
    expect(() => createAccessTokenVerifier({ ...valid, jwksUri: 'file:///etc/jwks' })).toThrow(
      /jwksUri/,
    );
  });
});
