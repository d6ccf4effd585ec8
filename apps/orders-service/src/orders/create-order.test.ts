import { problemType } from '@dja/http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestService, type TestService } from '../../test/support/test-service';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

const ITEMS = [
  { sku: 'BOOK-1', quantity: 2 },
  { sku: 'pen_blue.v2', quantity: 1 },
];

function post(userId: string, body: unknown = { items: ITEMS }, key?: string) {
  const req = request(service.app)
    .post('/orders')
    .set('Authorization', `Bearer ${service.tokenFor(userId)}`);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send(body as object);
}

const ordersOf = (userId: string) => service.deps.db.order.findMany({ where: { userId } });
const eventsFor = async (orderId: string) =>
  (await service.deps.db.outboxEvent.findMany({ where: { type: 'order.created' } })).filter(
    (event) => (event.payload as { orderId: string }).orderId === orderId,
  );

describe('POST /orders', () => {
  it('creates an order and answers 201 with the order and its Location', async () => {
    const userId = randomUUID();
    const res = await post(userId);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      items: ITEMS,
      status: 'created',
      createdAt: service.clock().toISOString(),
    });
    expect(res.headers.location).toBe(`/orders/${res.body.id}`);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(userId)).toHaveLength(1);
  });

  it('writes order.created to the outbox together with the order', async () => {
    const userId = randomUUID();
    const res = await post(userId);
    const events = await eventsFor(res.body.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({
      orderId: res.body.id,
      userId,
      items: ITEMS,
      createdAt: res.body.createdAt,
    });
    expect(events[0]!.occurredAt.toISOString()).toBe(res.body.createdAt);
  });

  it('creates no order when its event cannot be written (one transaction)', async () => {
    const userId = randomUUID();
    await service.deps.db.$executeRawUnsafe('ALTER TABLE outbox RENAME TO outbox_away');
    try {
      const res = await post(userId);
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toMatch(/outbox/);
    } finally {
      await service.deps.db.$executeRawUnsafe('ALTER TABLE outbox_away RENAME TO outbox');
    }
    expect(await ordersOf(userId)).toHaveLength(0);
  });

  it('creates two orders for two requests without an Idempotency-Key', async () => {
    const userId = randomUUID();
    const first = await post(userId);
    const second = await post(userId);
    expect(second.body.id).not.toBe(first.body.id);
    expect(await ordersOf(userId)).toHaveLength(2);
  });
});

describe('Idempotency-Key', () => {
  it('answers a retry with the first order, the same status and body, and creates nothing', async () => {
    const userId = randomUUID();
    const key = `checkout-${randomUUID()}`;
    const first = await post(userId, { items: ITEMS }, key);
    service.clock.advance(1000);
    const retry = await post(userId, { items: ITEMS }, key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(userId)).toHaveLength(1);
    expect(await eventsFor(first.body.id)).toHaveLength(1);
  });

  it('creates exactly one order for five concurrent requests with the same key', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(userId, { items: ITEMS }, key)),
    );
    expect(responses.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((res) => res.body.id)).size).toBe(1);
    expect(
      responses.filter((res) => res.headers['idempotent-replayed'] === undefined),
    ).toHaveLength(1);
    expect(await ordersOf(userId)).toHaveLength(1);
    expect(await eventsFor(responses[0]!.body.id)).toHaveLength(1);
  });

  it('scopes keys per user: another user with the same key gets an order of their own', async () => {
    const key = randomUUID();
    const aliceId = randomUUID();
    const alice = await post(aliceId, { items: ITEMS }, key);
    const bobId = randomUUID();
    const bob = await post(bobId, { items: [{ sku: 'OTHER', quantity: 9 }] }, key);
    expect(bob.status).toBe(201);
    expect(bob.body.id).not.toBe(alice.body.id);
    expect(bob.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(bobId)).toHaveLength(1);
    // Alice's retry still finds her own order, untouched by Bob's request.
    const aliceRetry = await post(aliceId, { items: ITEMS }, key);
    expect(aliceRetry.body).toEqual(alice.body);
  });

  it('answers 422 to the same key with a different body', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    await post(userId, { items: ITEMS }, key);
    const res = await post(userId, { items: [{ sku: 'BOOK-1', quantity: 3 }] }, key);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe(problemType('idempotency_key_reused'));
    expect(await ordersOf(userId)).toHaveLength(1);
  });

  it('treats a body that differs only in formatting and unknown members as the same request', async () => {
    const userId = randomUUID();
    const key = randomUUID();
    const first = await post(userId, { items: ITEMS }, key);
    const retry = await request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
      .set('Idempotency-Key', key)
      .type('application/json')
      .send(
        `{ "note": "ignored",\n  "items": ${JSON.stringify(ITEMS.map(({ quantity, sku }) => ({ quantity, sku })))} }`,
      );
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'two words'],
    ['a key longer than 255 characters', 'k'.repeat(256)],
  ])('answers 400 naming the header for %s', async (_label, key) => {
    const userId = randomUUID();
    const res = await post(userId, { items: ITEMS }, key);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
    expect(await ordersOf(userId)).toHaveLength(0);
  });

  it('accepts a key of 255 visible ASCII characters', async () => {
    const res = await post(randomUUID(), { items: ITEMS }, '~'.repeat(255));
    expect(res.status).toBe(201);
  });
});

describe('POST /orders input', () => {
  it.each([
    ['no items member', {}, 'items'],
    ['items that is not an array', { items: 'BOOK-1' }, 'items'],
    ['no items', { items: [] }, 'items'],
    ['51 items', { items: Array.from({ length: 51 }, () => ({ sku: 'A', quantity: 1 })) }, 'items'],
    ['an item without sku', { items: [{ quantity: 1 }] }, 'items.0.sku'],
    ['an empty sku', { items: [{ sku: '', quantity: 1 }] }, 'items.0.sku'],
    ['a sku of 65 characters', { items: [{ sku: 'a'.repeat(65), quantity: 1 }] }, 'items.0.sku'],
    ['a sku with a slash', { items: [{ sku: 'a/b', quantity: 1 }] }, 'items.0.sku'],
    ['a numeric sku', { items: [{ sku: 42, quantity: 1 }] }, 'items.0.sku'],
    ['a quantity of 0', { items: [{ sku: 'A', quantity: 0 }] }, 'items.0.quantity'],
    ['a quantity of 1001', { items: [{ sku: 'A', quantity: 1001 }] }, 'items.0.quantity'],
    ['a fractional quantity', { items: [{ sku: 'A', quantity: 1.5 }] }, 'items.0.quantity'],
    ['a quantity as a string', { items: [{ sku: 'A', quantity: '2' }] }, 'items.0.quantity'],
    ['a JSON array body', [{ sku: 'A', quantity: 1 }], 'body'],
  ])('answers 400 naming the field for %s', async (_label, body, field) => {
    const res = await post(randomUUID(), body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('accepts the limits: 50 items, 64-character skus, quantity 1000', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      sku: `${i}`.padStart(64, 'x'),
      quantity: 1000,
    }));
    const res = await post(randomUUID(), { items });
    expect(res.status).toBe(201);
    expect(res.body.items).toEqual(items);
  });

  it('answers 400 to malformed JSON', async () => {
    const res = await request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(randomUUID())}`)
      .type('application/json')
      .send('{"items": [');
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(problemType('malformed_body'));
  });

  it('answers 400 to a request without a body', async () => {
    const res = await request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(randomUUID())}`);
    expect(res.status).toBe(400);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(randomUUID())}`)
      .type('form')
      .send('items=BOOK-1');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 413 to a body over the size limit', async () => {
    const res = await post(randomUUID(), { items: ITEMS, padding: 'x'.repeat(64 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
