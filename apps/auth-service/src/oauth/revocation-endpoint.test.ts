import request from 'supertest';
import {
  basicAuth,
  jwtPayload,
  refresh,
  registerAndLogIn,
  SERVICE_CLIENT,
  sessionRevokedEvents,
  useTestService,
} from '../../test/support/test-service';

const service = useTestService();

const revoke = (params: Record<string, string>, authorization?: string) => {
  const req = request(service.app).post('/revoke').type('form');
  return (authorization ? req.set('Authorization', authorization) : req).send(params);
};
const asPublicClient = (token: string) => ({ token, client_id: 'first-party' });
describe('POST /revoke (RFC 7009)', () => {
  it('ends the session of a refresh token and broadcasts it like a logout', async () => {
    const user = await registerAndLogIn(service);
    const res = await revoke({
      ...asPublicClient(user.refreshToken),
      token_type_hint: 'refresh_token',
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await refresh(service, user.refreshToken)).body.error).toBe('invalid_grant');
    const sid = jwtPayload(user.accessToken).sid as string;
    const events = await sessionRevokedEvents(service, sid);
    expect(events.map((e) => (e.payload as { reason: string }).reason)).toEqual(['logout']);
  });

  it('answers 200 for an unknown token, an already revoked one and a spent one', async () => {
    const user = await registerAndLogIn(service);
    expect((await revoke(asPublicClient('no-such-token'))).status).toBe(200);
    const rotated = await refresh(service, user.refreshToken);
    expect(rotated.status).toBe(200);
    // The spent one: the session it belonged to is still the user's, and the answer is 200.
    expect((await revoke(asPublicClient(user.refreshToken))).status).toBe(200);
    expect((await revoke(asPublicClient(rotated.body.refresh_token))).status).toBe(200);
    const sid = jwtPayload(user.accessToken).sid as string;
    expect(await sessionRevokedEvents(service, sid)).toHaveLength(1);
  });

  it('refuses a request without client authentication, with RFC 6749 §5.2 invalid_client', async () => {
    const user = await registerAndLogIn(service);
    const attempts: Array<Record<string, string>> = [
      { token: user.refreshToken },
      { token: user.refreshToken, client_id: 'x' },
    ];
    for (const params of attempts) {
      const res = await revoke(params);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    }
    expect((await refresh(service, user.refreshToken)).status).toBe(200);
  });

  it('refuses a service client with a wrong secret, and one revoking a token not issued to it', async () => {
    const user = await registerAndLogIn(service);
    const wrong = await revoke(
      { token: user.refreshToken },
      basicAuth(SERVICE_CLIENT.id, 'x'.repeat(40)),
    );
    expect(wrong.status).toBe(401);
    const notIts = await revoke(
      { token: user.refreshToken },
      basicAuth(SERVICE_CLIENT.id, SERVICE_CLIENT.secret),
    );
    expect([notIts.status, notIts.body.error]).toEqual([400, 'unauthorized_client']);
    expect((await refresh(service, user.refreshToken)).status).toBe(200);
  });

  it('answers invalid_request without a token', async () => {
    const res = await revoke({ client_id: 'first-party' });
    expect([res.status, res.body.error]).toEqual([400, 'invalid_request']);
  });
});
