import { operationsApp, problemType } from '@dja/http';
import request from 'supertest';
import {
  basicAuth,
  SERVICE_CLIENT,
  startTestService,
  type TestService,
  uniqueEmail,
} from '../../test/support/test-service';
import { startBackgroundJobs } from '../dependencies';
import { purgeExpiredThrottleEvents, Throttle } from './throttle';

const LIMITS = {
  REGISTRATION_MAX_PER_ADDRESS: '3',
  REGISTRATION_WINDOW: '3600',
  CLIENT_MAX_FAILED_AUTHENTICATIONS: '2',
  CLIENT_FAILURE_WINDOW: '300',
  LOGIN_FAILURE_WINDOW: '900',
};

let service: TestService;
beforeAll(async () => (service = await startTestService({ env: LIMITS })));
afterAll(() => service.stop());
beforeEach(() => service.deps.db.throttleEvent.deleteMany());

// supertest connects from 127.0.0.1, which TRUSTED_PROXIES (loopback by default) names as the
// gateway: X-Forwarded-For then says which client the request stands for.
const signUp = (app: TestService['app'], address: string) =>
  request(app)
    .post('/register')
    .set('X-Forwarded-For', address)
    .send({ email: uniqueEmail('throttled'), password: 'correct horse battery staple' });

const clientCredentials = (app: TestService['app'], secret: string, id = SERVICE_CLIENT.id) =>
  request(app)
    .post('/token')
    .set('Authorization', basicAuth(id, secret))
    .type('form')
    .send({ grant_type: 'client_credentials' });

describe('sign-up throttling', () => {
  it('answers 429 problem+json with Retry-After once an address has signed up too often', async () => {
    for (let i = 0; i < 3; i++) expect((await signUp(service.app, '203.0.113.1')).status).toBe(201);
    const throttled = await signUp(service.app, '203.0.113.1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(throttled.headers['retry-after']).toBe('3600');
    expect(throttled.body).toMatchObject({
      type: problemType('too_many_registrations'),
      status: 429,
    });
    expect(
      await service.deps.db.user.count({ where: { email: { startsWith: 'throttled' } } }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('counts each address on its own', async () => {
    for (let i = 0; i < 3; i++) await signUp(service.app, '203.0.113.2');
    expect((await signUp(service.app, '203.0.113.2')).status).toBe(429);
    expect((await signUp(service.app, '203.0.113.3')).status).toBe(201);
  });

  it('lets the address sign up again once its oldest sign-up leaves the window', async () => {
    await signUp(service.app, '203.0.113.4');
    service.clock.advance(1000);
    await signUp(service.app, '203.0.113.4');
    await signUp(service.app, '203.0.113.4');
    expect((await signUp(service.app, '203.0.113.4')).headers['retry-after']).toBe('2600');
    service.clock.advance(2600);
    expect((await signUp(service.app, '203.0.113.4')).status).toBe(201);
  });

  it('does not count a request refused for bad input', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(service.app)
        .post('/register')
        .set('X-Forwarded-For', '203.0.113.5')
        .send({ email: 'not an email', password: 'x' });
      expect(res.status).toBe(400);
    }
    expect((await signUp(service.app, '203.0.113.5')).status).toBe(201);
  });

  it('never lets more than the limit through when replicas race on one address', async () => {
    const replica = await startTestService({
      database: service.database,
      clock: service.clock,
      env: { ...LIMITS, REPLICA_ID: 'other' },
    });
    try {
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          signUp(i % 2 ? replica.app : service.app, '203.0.113.6'),
        ),
      );
      const statuses = attempts.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    } finally {
      await replica.stop();
    }
  });
});

describe('failed client authentication throttling', () => {
  const wrong = 'not-the-secret-0123456789-abcdefghijklmn';

  it('answers 429 slow_down in RFC 6749 form with Retry-After after too many failures', async () => {
    expect((await clientCredentials(service.app, wrong)).status).toBe(401);
    expect((await clientCredentials(service.app, wrong)).status).toBe(401);
    const throttled = await clientCredentials(service.app, wrong);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/^application\/json/);
    expect(throttled.headers['retry-after']).toBe('300');
    expect(throttled.headers['cache-control']).toBe('no-store');
    expect(throttled.body).toEqual({
      error: 'slow_down',
      error_description: expect.any(String),
    });
  });

  it('refuses even the right secret while throttled, and accepts it once the window frees', async () => {
    await clientCredentials(service.app, wrong);
    await clientCredentials(service.app, wrong);
    expect((await clientCredentials(service.app, SERVICE_CLIENT.secret)).status).toBe(429);
    service.clock.advance(300);
    expect((await clientCredentials(service.app, SERVICE_CLIENT.secret)).status).toBe(200);
  });

  it('does not count successful authentications', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await clientCredentials(service.app, SERVICE_CLIENT.secret)).status).toBe(200);
    }
    await clientCredentials(service.app, wrong);
    expect((await clientCredentials(service.app, SERVICE_CLIENT.secret)).status).toBe(200);
  });

  it('throttles the revocation endpoint’s client authentication by the same count', async () => {
    await clientCredentials(service.app, wrong);
    const revoke = await request(service.app)
      .post('/revoke')
      .set('Authorization', basicAuth(SERVICE_CLIENT.id, wrong))
      .type('form')
      .send({ token: 'whatever' });
    expect(revoke.status).toBe(401);
    const throttled = await clientCredentials(service.app, SERVICE_CLIENT.secret);
    expect(throttled.status).toBe(429);
  });

  it('counts throttled answers in the metrics, by throttle', async () => {
    for (let i = 0; i < 4; i++) await signUp(service.app, '203.0.113.8');
    for (let i = 0; i < 3; i++) await clientCredentials(service.app, wrong);
    const metrics = (await request(operationsApp(service.app)).get('/metrics')).text;
    expect(metrics).toMatch(/auth_throttled_requests_total\{throttle="registration"[^}]*\} [1-9]/);
    expect(metrics).toMatch(
      /auth_throttled_requests_total\{throttle="client_authentication"[^}]*\} [1-9]/,
    );
  });

  it('shares the count between replicas through the database', async () => {
    const replica = await startTestService({
      database: service.database,
      clock: service.clock,
      env: { ...LIMITS, REPLICA_ID: 'other' },
    });
    try {
      await clientCredentials(service.app, wrong);
      await clientCredentials(replica.app, wrong);
      expect((await clientCredentials(service.app, SERVICE_CLIENT.secret)).status).toBe(429);
      expect((await clientCredentials(replica.app, SERVICE_CLIENT.secret)).status).toBe(429);
    } finally {
      await replica.stop();
    }
  });

  it('stores nothing for client ids that do not exist', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await clientCredentials(service.app, wrong, `made-up-${i}`)).status).toBe(401);
    }
    expect(await service.deps.db.throttleEvent.count()).toBe(0);
  });
});

describe('purgeExpiredThrottleEvents', () => {
  it('deletes the counts whose window has passed, whichever throttle wrote them', async () => {
    const { db } = service.deps;
    const short = new Throttle(db, { name: 'short', limit: 5, windowSeconds: 60 });
    const long = new Throttle(db, { name: 'long', limit: 5, windowSeconds: 3600 });
    const start = service.clock();
    await short.record('a', start);
    await long.record('a', start);
    const later = new Date(start.getTime() + 60_000);
    await short.record('b', later);

    expect(await purgeExpiredThrottleEvents(db, new Date(start.getTime() + 59_999))).toBe(0);
    expect(await purgeExpiredThrottleEvents(db, later)).toBe(1);
    const left = await db.throttleEvent.findMany({
      orderBy: { key: 'asc' },
      select: { key: true },
    });
    expect(left.map((row) => row.key)).toEqual(['long:a', 'short:b']);
    expect(await purgeExpiredThrottleEvents(db, new Date(start.getTime() + 3600_000))).toBe(2);
    expect(await db.throttleEvent.count()).toBe(0);
  });

  it('purges the failed logins of an account once their window has passed', async () => {
    const { db, loginThrottle } = service.deps;
    const now = service.clock();
    await loginThrottle.recordFailure('ann@example.com', '203.0.113.9', now);
    expect(await db.throttleEvent.count()).toBe(2);
    service.clock.advance(900);
    expect(await purgeExpiredThrottleEvents(db, service.clock())).toBe(2);
  });

  it('never purges a count that still throttles', async () => {
    const { db } = service.deps;
    const throttle = new Throttle(db, { name: 'kept', limit: 1, windowSeconds: 600 });
    await throttle.record('a', service.clock());
    service.clock.advance(599);
    await purgeExpiredThrottleEvents(db, service.clock());
    expect(await throttle.secondsUntilAllowed('a', service.clock())).toBe(1);
  });
});

describe('the purge schedule', () => {
  // Only the interval timers are fake, so that the test moves the schedule while everything
  // else (PostgreSQL's connections, promises) runs for real.
  beforeEach(() =>
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    }),
  );
  afterEach(() => jest.useRealTimers());

  it('purges expired counts every THROTTLE_PURGE_INTERVAL in the background jobs', async () => {
    const replica = await startTestService({
      database: service.database,
      clock: service.clock,
      env: { ...LIMITS, REPLICA_ID: 'scheduled', THROTTLE_PURGE_INTERVAL: '60' },
    });
    const jobs = startBackgroundJobs(replica.deps);
    try {
      const { db, loginThrottle } = replica.deps;
      await loginThrottle.recordFailure('bo@example.com', '203.0.113.10', service.clock());
      service.clock.advance(900);
      await jest.advanceTimersByTimeAsync(59_000);
      expect(await db.throttleEvent.count()).toBe(2);
      await jest.advanceTimersByTimeAsync(1_000);
      await jobs.close(); // waits for the run in progress
      expect(await db.throttleEvent.count()).toBe(0);
    } finally {
      await jobs.close();
      await replica.stop();
    }
  });
});
