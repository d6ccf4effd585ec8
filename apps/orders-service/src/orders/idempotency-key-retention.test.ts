import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestService, type TestService } from '../../test/support/test-service';
import { startBackgroundJobs } from '../dependencies';
import { forgetExpiredIdempotencyKeys } from './idempotency-key-retention';

const DAY = 24 * 3600;

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

function post(userId: string, key: string, sku = 'BOOK-1') {
  return request(service.app)
    .post('/orders')
    .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
    .set('Idempotency-Key', key)
    .send({ items: [{ sku, quantity: 1 }] });
}

const forget = () => forgetExpiredIdempotencyKeys(service.deps.db, service.clock(), DAY);
const keysOf = async (userId: string) =>
  (await service.deps.db.order.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } })).map(
    (order) => order.idempotencyKey,
  );

describe('forgetExpiredIdempotencyKeys', () => {
  it('keeps a key younger than its lifetime, so a retry still replays', async () => {
    const userId = randomUUID();
    const first = await post(userId, 'young');
    service.clock.advance((DAY - 1) * 1000);
    await forget();
    const retry = await post(userId, 'young');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
  });

  it('forgets a key once its lifetime has passed, and keeps the order', async () => {
    const userId = randomUUID();
    const first = await post(userId, 'old');
    service.clock.advance(DAY * 1000);
    expect(await forget()).toBeGreaterThanOrEqual(1);
    expect(await keysOf(userId)).toEqual([null]);
    const order = await service.deps.db.order.findUnique({ where: { id: first.body.id } });
    expect(order).toMatchObject({ idempotencyKey: null, requestHash: null, status: 'created' });
  });

  it('lets a forgotten key create a new order, even with another body', async () => {
    const userId = randomUUID();
    const first = await post(userId, 'reused');
    service.clock.advance(DAY * 1000);
    await forget();
    const later = await post(userId, 'reused', 'PEN-2');
    expect(later.status).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.body.id).not.toBe(first.body.id);
    expect(await keysOf(userId)).toEqual([null, 'reused']);
  });

  it('forgets only expired keys and leaves orders without one as they are', async () => {
    const userId = randomUUID();
    await post(userId, 'expires');
    service.clock.advance(DAY * 1000);
    await post(userId, 'fresh');
    await forget();
    expect(await keysOf(userId)).toEqual([null, 'fresh']);
    expect(await forget()).toBe(0);
  });
});

describe('the purge schedule', () => {
  // Only the timers are fake, so that the test moves the schedule while everything else
  // (PostgreSQL's connections, promises) runs for real.
  beforeEach(() =>
    jest.useFakeTimers({
      doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask'],
    }),
  );
  afterEach(() => jest.useRealTimers());

  it('forgets expired keys every IDEMPOTENCY_PURGE_INTERVAL in the background jobs', async () => {
    const interval = service.deps.config.IDEMPOTENCY_PURGE_INTERVAL;
    const userId = randomUUID();
    await post(userId, 'scheduled');
    service.clock.advance(service.deps.config.IDEMPOTENCY_KEY_TTL * 1000);
    const jobs = startBackgroundJobs(service.deps);
    try {
      await jest.advanceTimersByTimeAsync(interval * 1000 - 1000);
      expect(await keysOf(userId)).toEqual(['scheduled']);
      await jest.advanceTimersByTimeAsync(1000);
      await jobs.close(); // waits for the run in progress
      expect(await keysOf(userId)).toEqual([null]);
    } finally {
      await jobs.close();
    }
  });
});
