import { createTestIssuer } from './test-issuer';

const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString());

describe('createTestIssuer', () => {
  it('serves its keys as a JWKS on 127.0.0.1 and counts the requests', async () => {
    const issuer = await createTestIssuer({ keys: 2 });
    try {
      expect(issuer.jwksUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
      const jwks = (await (await fetch(issuer.jwksUri)).json()) as {
        keys: Array<{ kid: string }>;
      };
      expect(jwks.keys.map((key) => key.kid)).toEqual(issuer.keys.map((key) => key.kid));
      expect(jwks.keys[0]).not.toHaveProperty('d');
      expect(issuer.fetchCount).toBe(1);
    } finally {
      await issuer.close();
    }
  });

  it('mints tokens with default claims, overrides and removals', async () => {
    const issuer = await createTestIssuer({
      now: () => 1_000_000_000_000,
      issuer: 'https://auth.example',
    });
    try {
      const [header, payload] = issuer
        .mint({ sub: 'user-7', sid: undefined }, { header: { typ: 'JWT' } })
        .split('.');
      expect(decode(header as string)).toEqual({
        alg: 'RS256',
        typ: 'JWT',
        kid: issuer.currentKey.kid,
      });
      expect(decode(payload as string)).toEqual({
        iss: 'https://auth.example',
        aud: 'test-service',
        sub: 'user-7',
        client_id: 'test-client',
        jti: expect.any(String),
        iat: 1_000_000_000,
        exp: 1_000_000_300,
      });
    } finally {
      await issuer.close();
    }
  });
});
