import { problemType, operationsApp } from '@dja/http';
import request from 'supertest';
import {
  registerAndLogIn,
  startTestService,
  type TestService,
  uniqueEmail,
} from '../../test/support/test-service';

let service: TestService;
beforeAll(
  async () =>
    (service = await startTestService({
      env: {
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '8',
        LOGIN_FAILURE_WINDOW: '600',
      },
    })),
);
afterAll(() => service.stop());
// Each test starts with no failures counted for this client address.
beforeEach(() => service.deps.db.throttleEvent.deleteMany());

const attempt = (email: string, password: string, ip = '10.0.0.1') =>
  request(service.app).post('/login').set('X-Forwarded-For', ip).send({ email, password });

describe('login throttling', () => {
  it('answers 429 with Retry-After once an account has failed too often', async () => {
    const user = await registerAndLogIn(service);
    for (let i = 0; i < 3; i++) expect((await attempt(user.email, 'wrong')).status).toBe(401);
    const throttled = await attempt(user.email, user.password);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('600');
    expect(throttled.body).toMatchObject({ type: problemType('too_many_login_attempts') });
  });

  it('lets the account in again once the oldest failure leaves the sliding window', async () => {
    const user = await registerAndLogIn(service);
    await attempt(user.email, 'wrong');
    service.clock.advance(200);
    await attempt(user.email, 'wrong');
    await attempt(user.email, 'wrong');
    service.clock.advance(300);
    const throttled = await attempt(user.email, user.password);
    expect(throttled.headers['retry-after']).toBe('100');
    service.clock.advance(100);
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });

  it('throttles unknown emails exactly like real accounts, revealing nothing', async () => {
    const email = uniqueEmail('nobody');
    for (let i = 0; i < 3; i++) await attempt(email, 'wrong');
    expect((await attempt(email, 'wrong')).status).toBe(429);
  });

  it('throttles a client address that tries many accounts', async () => {
    for (let i = 0; i < 8; i++) await attempt(uniqueEmail('spray'), 'wrong', '10.9.9.9');
    const user = await registerAndLogIn(service);
    expect((await attempt(user.email, user.password, '10.9.9.9')).status).toBe(429);
    expect((await attempt(user.email, user.password, '10.9.9.10')).status).toBe(200);
  });

  it('shares the counts between replicas through the database', async () => {
    const replica = await startTestService({
      database: service.database,
      clock: service.clock,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', REPLICA_ID: 'other' },
    });
    try {
      const user = await registerAndLogIn(service);
      await attempt(user.email, 'wrong');
      await request(replica.app).post('/login').send({ email: user.email, password: 'wrong' });
      await attempt(user.email, 'wrong');
      const res = await request(replica.app)
        .post('/login')
        .send({ email: user.email, password: user.password });
      expect(res.status).toBe(429);
    } finally {
      await replica.stop();
    }
  });

  it('forgets an account’s failures after a successful login', async () => {
    const user = await registerAndLogIn(service);
    await attempt(user.email, 'wrong');
    await attempt(user.email, 'wrong');
    expect((await attempt(user.email, user.password)).status).toBe(200);
    await attempt(user.email, 'wrong');
    await attempt(user.email, 'wrong');
    expect((await attempt(user.email, user.password)).status).toBe(200);
  });

  it('counts failed logins in the metrics', async () => {
    await attempt(uniqueEmail(), 'wrong');
    const metrics = await request(operationsApp(service.app)).get('/metrics');
    expect(metrics.text).toMatch(
      /auth_failed_logins_total\{reason="invalid_credentials"[^}]*\} [1-9]/,
    );
  });
});
