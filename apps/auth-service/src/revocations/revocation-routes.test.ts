import { InMemoryRevocationList } from '@dja/auth';
import request from 'supertest';
import {
  adminAccessToken,
  jwtPayload,
  registerAndLogIn,
  serviceAccessToken,
  useTestService,
} from '../../test/support/test-service';

const service = useTestService();

const serviceToken = (scope?: string) => serviceAccessToken(service, scope);

const revocations = async (token: string) =>
  request(service.app).get('/internal/revocations').set('Authorization', `Bearer ${token}`);

describe('GET /internal/revocations', () => {
  it('lists revoked sessions and suspended users until their last access token expires', async () => {
    const loggedOut = await registerAndLogIn(service);
    const suspended = await registerAndLogIn(service);
    await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${loggedOut.accessToken}`);
    const admin = await adminAccessToken(service);
    await request(service.app)
      .post(`/admin/users/${suspended.id}/suspend`)
      .set('Authorization', `Bearer ${admin}`);

    const token = await serviceToken('revocations:read');
    const res = await revocations(token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const now = Math.floor(service.clock().getTime() / 1000);
    const { ACCESS_TOKEN_TTL, CLOCK_TOLERANCE } = service.config;
    expect(res.body.version).toBe(1);
    expect(res.body.tokens).toEqual([]);
    expect(res.body.sessions).toContainEqual({
      sessionId: jwtPayload(loggedOut.accessToken).sid,
      expiresAt: jwtPayload(loggedOut.accessToken).exp,
    });
    expect(res.body.users).toContainEqual({
      subject: suspended.id,
      revokedBefore: now,
      expiresAt: now + ACCESS_TOKEN_TTL + CLOCK_TOLERANCE,
    });

    // The snapshot loads into the revocation list resource services keep.
    const list = new InMemoryRevocationList({
      maxTokenLifetimeSeconds: ACCESS_TOKEN_TTL,
      now: () => service.clock().getTime(),
    });
    for (const s of res.body.sessions) list.revokeSession(s.sessionId, s.expiresAt);
    for (const u of res.body.users) list.revokeUser(u.subject, u.revokedBefore, u.expiresAt);
    const revokedToken = jwtPayload(suspended.accessToken);
    expect(
      list.isRevoked({
        subject: revokedToken.sub as string,
        sessionId: revokedToken.sid as string,
        tokenId: revokedToken.jti as string,
        issuedAt: revokedToken.iat as number,
      }),
    ).toBe(true);

    service.clock.advance(ACCESS_TOKEN_TTL + CLOCK_TOLERANCE + 1);
    const later = await revocations(await serviceToken('revocations:read'));
    expect(later.body).toEqual({
      version: 1,
      sessions: [],
      users: [],
      tokens: [],
      withdrawnKeys: [],
    });
  });

  it('answers 403 insufficient_scope to a service token without revocations:read', async () => {
    const res = await revocations(await serviceToken('profile:read'));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it('answers 403 to a user token and 401 without a token', async () => {
    const user = await registerAndLogIn(service);
    expect((await revocations(user.accessToken)).status).toBe(403);
    expect((await request(service.app).get('/internal/revocations')).status).toBe(401);
  });
});
