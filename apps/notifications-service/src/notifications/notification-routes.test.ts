import { operationsApp } from '@dja/http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  newUserId,
  startReplica,
  startTestWorld,
  type TestReplica,
  type TestWorld,
  userToken,
} from '../../test/support/test-service';
import { encodeCursor } from './page-cursor';

let world: TestWorld;
let replica: TestReplica;

beforeAll(async () => {
  world = await startTestWorld();
  replica = await startReplica(world);
});
afterAll(async () => {
  await replica.stop();
  await world.close();
});

/** Stores `count` notifications for `userId`, one second apart, oldest first. */
async function seed(userId: string, count: number, start = Date.parse('2030-01-01T12:00:00Z')) {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    eventId: randomUUID(),
    userId,
    kind: 'order_confirmation',
    title: `Order confirmed ${i}`,
    body: `Hi Ada, your order o-${i} of 1 item is confirmed.`,
    recipientEmail: 'ada@example.com',
    orderId: `o-${i}`,
    createdAt: new Date(start + i * 1000),
  }));
  await replica.deps.db.notification.createMany({ data: rows });
  return rows;
}

const list = (userId: string, query: Record<string, string> = {}) =>
  request(replica.app)
    .get('/notifications')
    .query(query)
    .set('Authorization', `Bearer ${userToken(world, userId)}`);

describe('GET /notifications', () => {
  it('lists the caller’s notifications, newest first', async () => {
    const userId = newUserId();
    const rows = await seed(userId, 3);

    const res = await list(userId);

    expect(res.status).toBe(200);
    expect(res.headers['x-served-by']).toBe('notifications-service-test');
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((item: { id: string }) => item.id)).toEqual(
      [...rows].reverse().map((row) => row.id),
    );
    expect(res.body.items[0]).toEqual({
      id: rows[2]!.id,
      kind: 'order_confirmation',
      title: 'Order confirmed 2',
      body: 'Hi Ada, your order o-2 of 1 item is confirmed.',
      recipientEmail: 'ada@example.com',
      orderId: 'o-2',
      createdAt: rows[2]!.createdAt.toISOString(),
    });
  });

  it('never shows one user another user’s notifications', async () => {
    const alice = newUserId();
    const bob = newUserId();
    const [aliceRow] = await seed(alice, 1);
    await seed(bob, 2);

    const res = await list(alice);

    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].id).toBe(aliceRow!.id);
  });

  it('pages through every notification exactly once with the cursor, ties on created_at included', async () => {
    const userId = newUserId();
    const spaced = await seed(userId, 5);
    // Three notifications in the same millisecond: only the id orders them.
    const tied = await seed(userId, 3, Date.parse('2030-01-01T11:00:00Z'));
    await replica.deps.db.notification.updateMany({
      where: { id: { in: tied.map((row) => row.id) } },
      data: { createdAt: new Date('2030-01-01T11:00:00Z') },
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await list(userId, { limit: '3', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((item: { id: string }) => item.id));
      cursor = res.body.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen.slice(0, 5)).toEqual([...spaced].reverse().map((row) => row.id));
    expect(seen.slice(5)).toEqual(
      tied
        .map((row) => row.id)
        .sort()
        .reverse(),
    );
  });

  it('returns 20 by default and an empty page for a user without notifications', async () => {
    const busy = newUserId();
    await seed(busy, 21);
    const full = await list(busy);
    expect(full.body.items).toHaveLength(20);
    expect(full.body.nextCursor).toEqual(expect.any(String));

    const empty = await list(newUserId());
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['a limit of 0', 'limit', '0'],
    ['a limit above 100', 'limit', '101'],
    ['a limit that is not a number', 'limit', 'ten'],
    ['a fractional limit', 'limit', '2.5'],
    ['a cursor that is not base64url JSON', 'cursor', 'not-a-cursor'],
    [
      'a cursor with the wrong fields',
      'cursor',
      Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url'),
    ],
    ['a cursor of 500 characters', 'cursor', 'a'.repeat(500)],
  ])('rejects %s with a 400 problem naming the parameter', async (_case, name, value) => {
    const res = await list(newUserId(), { [name]: value });

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: name })]);
  });

  it('rejects a repeated parameter with a 400 problem', async () => {
    const res = await request(replica.app)
      .get('/notifications?limit=1&limit=2')
      .set('Authorization', `Bearer ${userToken(world, newUserId())}`);

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers a malformed JSON body with a 400 problem, not a 500', async () => {
    const res = await request(replica.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${userToken(world, newUserId())}`)
      .set('Content-Type', 'application/json')
      .send('{"limit":');

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers a huge body with a 413 problem', async () => {
    const res = await request(replica.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${userToken(world, newUserId())}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(100_000) }));

    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('accepts a cursor pointing past the last notification', async () => {
    const userId = newUserId();
    await seed(userId, 2);
    const cursor = encodeCursor({ createdAt: new Date('2000-01-01T00:00:00Z'), id: randomUUID() });

    const res = await list(userId, { cursor });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers 401 with a Bearer challenge without a token or with a bad one', async () => {
    const missing = await request(replica.app).get('/notifications');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="notifications-service"/);

    const forged = world.issuer.mint(
      { scope: 'notifications:read' },
      { sign: () => new Uint8Array(256) },
    );
    const invalid = await request(replica.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${forged}`);
    expect(invalid.status).toBe(401);
    expect(invalid.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 401 for a token meant for another audience', async () => {
    const token = world.issuer.mint({
      sub: newUserId(),
      scope: 'notifications:read',
      aud: 'orders',
    });

    const res = await request(replica.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${token}`);

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers 403 insufficient_scope without notifications:read', async () => {
    const res = await request(replica.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${userToken(world, newUserId(), 'orders:read')}`);

    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(res.headers['www-authenticate']).toMatch(/scope="notifications:read"/);
  });

  it('answers 404 problem for routes it does not have', async () => {
    const res = await request(replica.app)
      .post('/notifications')
      .set('Authorization', `Bearer ${userToken(world, newUserId())}`)
      .send({ title: 'x' });

    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('operational endpoints', () => {
  it('reports ready when the database and keys are', async () => {
    const res = await request(operationsApp(replica.app)).get('/readyz');

    expect(res.status).toBe(200);
  });

  it('answers /healthz and /metrics', async () => {
    expect((await request(operationsApp(replica.app)).get('/healthz')).status).toBe(200);
    expect((await request(operationsApp(replica.app)).get('/metrics')).status).toBe(200);
  });
});
