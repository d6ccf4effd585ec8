import { createAccessTokenVerifier } from '@dja/auth';
import request from 'supertest';
import {
  registerAndLogIn,
  startTestService,
  type TestService,
} from '../../test/support/test-service';

let service: TestService;
beforeAll(async () => (service = await startTestService()));
afterAll(() => service.stop());

describe('GET /.well-known/openid-configuration', () => {
  it('describes the issuer with URLs under its public prefix', async () => {
    const res = await request(service.app).get('/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toMatchObject({
      issuer: 'http://127.0.0.1:8080/auth',
      jwks_uri: 'http://127.0.0.1:8080/auth/.well-known/jwks.json',
      token_endpoint: 'http://127.0.0.1:8080/auth/token',
      grant_types_supported: ['refresh_token', 'client_credentials'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
      access_token_signing_alg_values_supported: ['RS256'],
    });
    expect(res.body.scopes_supported).toEqual(
      expect.arrayContaining(['orders:read', 'profile:me', 'profile:read', 'revocations:read']),
    );
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
      email: user.email,
    });
  });
});
