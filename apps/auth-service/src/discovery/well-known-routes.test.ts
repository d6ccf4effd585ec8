import { createAccessTokenVerifier } from '@dja/auth';
import { RFC_8414_MEMBERS } from '@dja/stack-client';
import request from 'supertest';
import { registerAndLogIn, useTestService } from '../../test/support/test-service';

const service = useTestService();

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  it('describes the issuer with URLs under its public prefix', async () => {
    const res = await request(service.app).get('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toMatchObject({
      issuer: 'http://127.0.0.1:8080/auth',
      jwks_uri: 'http://127.0.0.1:8080/auth/.well-known/jwks.json',
      token_endpoint: 'http://127.0.0.1:8080/auth/token',
      revocation_endpoint: 'http://127.0.0.1:8080/auth/revoke',
      grant_types_supported: ['refresh_token', 'client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
      access_token_signing_alg_values_supported: ['RS256'],
    });
    expect(res.body.scopes_supported).toEqual(
      expect.arrayContaining(['orders:read', 'profile:me', 'profile:read', 'revocations:read']),
    );
  });

  it('uses only the members RFC 8414 defines, plus the one it names for access token algorithms', async () => {
    const res = await request(service.app).get('/.well-known/oauth-authorization-server');
    const allowed = new Set([...RFC_8414_MEMBERS, 'access_token_signing_alg_values_supported']);
    expect(Object.keys(res.body).filter((name) => !allowed.has(name))).toEqual([]);
    for (const required of ['issuer', 'response_types_supported']) {
      expect(res.body).toHaveProperty(required);
    }
  });

  it('no longer serves an openid-configuration, which would not be a valid OpenID document', async () => {
    expect((await request(service.app).get('/.well-known/openid-configuration')).status).toBe(404);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('serves the keys that @dja/auth verifies this service’s access tokens with', async () => {
    const user = await registerAndLogIn(service);
    const verifier = createAccessTokenVerifier({
      issuer: service.config.ISSUER,
      audience: 'profile',
      jwksUri: `${service.url}/.well-known/jwks.json`,
      maxLifetimeSeconds: service.config.ACCESS_TOKEN_TTL,
      now: () => service.clock().getTime(),
    });
    await expect(verifier.verify(user.accessToken)).resolves.toMatchObject({
      subject: user.id,
      sessionId: expect.any(String),
      scopes: ['orders:read', 'orders:write', 'profile:me', 'notifications:read'],
      roles: ['user'],
      audience: ['orders', 'profile', 'notifications', 'auth'],
      clientId: 'first-party',
    });
  });
});
