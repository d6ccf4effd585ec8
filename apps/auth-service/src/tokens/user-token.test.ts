import { decodeJwt } from 'jose';
import request from 'supertest';
import { registerAndLogIn, useTestService } from '../../test/support/test-service';

const service = useTestService();

describe('the claims of a user’s access token', () => {
  it('names the first-party client (RFC 9068 §2.2) and carries no email', async () => {
    const user = await registerAndLogIn(service);
    const claims = decodeJwt(user.accessToken);
    expect(claims.client_id).toBe('first-party');
    expect(claims.sub).toBe(user.id);
    expect(claims).not.toHaveProperty('email');
    expect(JSON.stringify(claims)).not.toContain(user.email);
  });

  it('keeps them after a refresh', async () => {
    const user = await registerAndLogIn(service);
    const refreshed = await request(service.app)
      .post('/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    expect(refreshed.status).toBe(200);
    const claims = decodeJwt(refreshed.body.access_token);
    expect(claims.client_id).toBe('first-party');
    expect(claims).not.toHaveProperty('email');
  });
});
