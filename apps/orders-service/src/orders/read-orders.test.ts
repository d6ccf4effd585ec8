import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestService, type TestService } from '../../test/support/test-service';
import { encodeCursor } from './order-cursor';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

const get = (userId: string, path: string) =>
  request(service.app)
    .get(path)
    .set('Authorization', `Bearer ${service.tokenFor(userId)}`);

/** Creates `count` orders one second apart; returns their ids, oldest first. */
async function createOrders(userId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    service.clock.advance(1000);
    const res = await request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
      .send({ items: [{ sku: `SKU-${i}`, quantity: i + 1 }] });
    ids.push(res.body.id);
  }
  return ids;
}

describe('GET /orders/:id', () => {
  it('answers the caller’s own order', async () => {
    const userId = randomUUID();
    const [id] = await createOrders(userId, 1);
    const res = await get(userId, `/orders/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id,
      status: 'created',
      items: [{ sku: 'SKU-0', quantity: 1 }],
    });
  });

  it('answers 404 for another user’s order, exactly as for an unknown id', async () => {
    const [id] = await createOrders(randomUUID(), 1);
    const other = await get(randomUUID(), `/orders/${id}`);
    const unknown = await get(randomUUID(), `/orders/${randomUUID()}`);
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(other.body).toEqual(unknown.body);
  });

  it.each(['not-a-uuid', '1', "' OR 1=1 --", `${randomUUID()}x`])(
    'answers 404 for the id %p',
    async (id) => {
      const res = await get(randomUUID(), `/orders/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );
});

describe('GET /orders', () => {
  it('lists only the caller’s orders, newest first', async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const aliceIds = await createOrders(alice, 3);
    await createOrders(bob, 2);
    const res = await get(alice, '/orders');
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([...aliceIds].reverse());
    expect(res.body.nextCursor).toBeNull();
  });

  it('answers an empty page to a user without orders', async () => {
    const res = await get(randomUUID(), '/orders');
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('pages through every order exactly once with limit and cursor', async () => {
    const userId = randomUUID();
    const ids = await createOrders(userId, 7);
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let path = '/orders?limit=3';
    for (;;) {
      const res = await get(userId, path);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      pageSizes.push(res.body.items.length);
      if (res.body.nextCursor === null) break;
      expect(res.body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      path = `/orders?limit=3&cursor=${res.body.nextCursor}`;
    }
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([...ids].reverse());
  });

  it('orders equal creation times by id, so no order is skipped or repeated', async () => {
    const userId = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await request(service.app)
        .post('/orders')
        .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
        .send({ items: [{ sku: 'SAME-TIME', quantity: 1 }] });
      ids.push(res.body.id);
    }
    const first = await get(userId, '/orders?limit=2');
    const rest = await get(userId, `/orders?limit=10&cursor=${first.body.nextCursor}`);
    const listed = [...first.body.items, ...rest.body.items].map((o: { id: string }) => o.id);
    expect(listed).toEqual([...ids].sort().reverse());
  });

  it('ends with a null cursor when the last page is exactly full', async () => {
    const userId = randomUUID();
    await createOrders(userId, 2);
    const res = await get(userId, '/orders?limit=2');
    expect(res.body.items).toHaveLength(2);
    expect(res.body.nextCursor).toBeNull();
  });

  it('returns 20 orders by default', async () => {
    const userId = randomUUID();
    await createOrders(userId, 21);
    const res = await get(userId, '/orders');
    expect(res.body.items).toHaveLength(20);
    expect(res.body.nextCursor).not.toBeNull();
  });

  it('never reaches another user’s orders with a cursor made from them', async () => {
    const alice = randomUUID();
    await createOrders(alice, 2);
    const bob = randomUUID();
    const bobsIds = await createOrders(bob, 1);
    const bobsOrder = await service.deps.db.order.findUniqueOrThrow({ where: { id: bobsIds[0]! } });
    const cursor = encodeCursor({
      createdAt: new Date(bobsOrder.createdAt.getTime() + 1),
      id: bobsOrder.id,
    });
    const res = await get(alice, `/orders?cursor=${cursor}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { id: string }) => o.id)).not.toContain(bobsOrder.id);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['cursor=', 'cursor'],
    ['cursor=not%20base64', 'cursor'],
    [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('not json').toString('base64url')}`, 'cursor'],
    [`cursor=${'A'.repeat(500)}`, 'cursor'],
  ])('answers 400 naming the parameter for ?%s', async (query, field) => {
    const res = await get(randomUUID(), `/orders?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
