import request from 'supertest';
import {
  jwtPayload,
  refresh,
  registerAndLogIn,
  serviceAccessToken,
  sessionRevokedEvents,
  useTestService,
} from '../../test/support/test-service';

const service = useTestService();

describe('POST /logout', () => {
  it('ends the session of the bearer access token: its refresh tokens stop working at once', async () => {
    const user = await registerAndLogIn(service);
    const res = await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(204);
    const after = await refresh(service, user.refreshToken);
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
  });

  it('ends the session of a refresh token sent in the body', async () => {
    const user = await registerAndLogIn(service);
    const res = await request(service.app)
      .post('/logout')
      .send({ refresh_token: user.refreshToken });
    expect(res.status).toBe(204);
    expect((await refresh(service, user.refreshToken)).status).toBe(400);
  });

  it('emits session.revoked with the session, the user and the expiry of the latest access token', async () => {
    const user = await registerAndLogIn(service);
    service.clock.advance(120);
    const refreshed = await refresh(service, user.refreshToken);
    const latestExp = jwtPayload(refreshed.body.access_token).exp as number;
    await request(service.app)
      .post('/logout')
      .send({ refresh_token: refreshed.body.refresh_token });

    const sid = jwtPayload(user.accessToken).sid as string;
    const [event, ...more] = await sessionRevokedEvents(service, sid);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      occurredAt: service.clock(),
      payload: {
        sessionId: sid,
        userId: user.id,
        reason: 'logout',
        expiresAt: new Date(latestExp * 1000).toISOString(),
      },
    });
  });

  it('answers 204 to a repeated logout and emits nothing more', async () => {
    const user = await registerAndLogIn(service);
    const auth = `Bearer ${user.accessToken}`;
    expect((await request(service.app).post('/logout').set('Authorization', auth)).status).toBe(
      204,
    );
    expect((await request(service.app).post('/logout').set('Authorization', auth)).status).toBe(
      204,
    );
    expect(
      await sessionRevokedEvents(service, jwtPayload(user.accessToken).sid as string),
    ).toHaveLength(1);
  });

  it('answers 204 for an unknown refresh token, revealing nothing', async () => {
    const res = await request(service.app).post('/logout').send({ refresh_token: 'unknown' });
    expect(res.status).toBe(204);
  });

  it('answers 401 with a Bearer challenge for an invalid access token', async () => {
    const user = await registerAndLogIn(service);
    const tampered = `${user.accessToken.slice(0, -4)}AAAA`;
    const res = await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${tampered}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('answers 401 for an expired access token', async () => {
    const user = await registerAndLogIn(service);
    service.clock.advance(service.config.ACCESS_TOKEN_TTL + service.config.CLOCK_TOLERANCE + 1);
    const res = await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(res.status).toBe(401);
  });

  it('answers 401 when neither an access token nor a refresh token is sent', async () => {
    const res = await request(service.app).post('/logout');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 400 for a service token, which has no session', async () => {
    const res = await request(service.app)
      .post('/logout')
      .set('Authorization', `Bearer ${await serviceAccessToken(service)}`);
    expect(res.status).toBe(400);
  });

  it('answers 400 naming refresh_token when it is not a string, and 415 for a form body', async () => {
    const wrongType = await request(service.app).post('/logout').send({ refresh_token: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].field).toBe('refresh_token');
    const form = await request(service.app).post('/logout').type('form').send('refresh_token=x');
    expect(form.status).toBe(415);
    const malformed = await request(service.app)
      .post('/logout')
      .set('Content-Type', 'application/json')
      .send('{');
    expect(malformed.status).toBe(400);
  });
});
