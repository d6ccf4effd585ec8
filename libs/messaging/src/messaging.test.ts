import type { GetMessage } from 'amqplib';
import { Pool } from 'pg';
import {
  createTestDatabase,
  publishRaw,
  type RabbitMQServer,
  startRabbitMQ,
  takeMessages,
  type TestDatabase,
  waitFor,
} from '@dja/test-infra';
import {
  type BrokerConnection,
  connectBroker,
  createEvent,
  createEventPublisher,
  deadLetterQueueName,
  enqueueEvent,
  EVENTS_EXCHANGE,
  type EventEnvelope,
  type EventPublisher,
  OutboxRelay,
  subscribe,
  type Subscription,
  WORK_QUEUES,
} from './index';
import { OUTBOX_DDL, pgSqlClient } from '../test/pg-sql-client';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let rabbit: RabbitMQServer;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  // Its own node, even with a shared TEST_AMQP_URL: a test below stops and restarts it.
  rabbit = await startRabbitMQ({ own: true });
}, 90_000);

afterAll(async () => {
  await rabbit?.stop();
});

afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close().catch(() => undefined);
});

function track<T extends { close(): Promise<void> }>(item: T): T {
  open.push(item);
  return item;
}

function broker(name = 'test'): BrokerConnection {
  return track(connectBroker(rabbit.url, { logger, name, reconnectSeconds: 0.2 }));
}

const registered = (n: number) =>
  createEvent('user.registered', { userId: `user-${n}`, email: `user${n}@example.test` });

const uniqueQueue = (label: string) => `test.${label}.${Math.random().toString(36).slice(2)}`;

async function ready(subscription: Subscription) {
  await waitFor(() => subscription.queue() !== undefined, { timeoutMs: 10_000 });
  return subscription;
}

const drain = (queue: string) => takeMessages(rabbit.url, queue);
const publishRawEvent = (routingKey: string, body: string) =>
  publishRaw(rabbit.url, { exchange: EVENTS_EXCHANGE, routingKey }, body);

describe('competing consumers', () => {
  it('hands each event to exactly one of the replicas sharing a queue', async () => {
    const queue = uniqueQueue('competing');
    const seen: Array<{ replica: number; id: string }> = [];
    for (const replica of [1, 2]) {
      await ready(
        track(
          subscribe(broker(`replica-${replica}`), {
            delivery: { kind: 'competing', queue },
            logger,
            prefetch: 1,
            handlers: {
              'user.registered': async (event) => {
                await new Promise((resolve) => setTimeout(resolve, 5));
                seen.push({ replica, id: event.id });
              },
            },
          }),
        ),
      );
    }
    const publisher = track(createEventPublisher(broker('publisher')));
    const events = Array.from({ length: 40 }, (_, i) => registered(i));
    await Promise.all(events.map((event) => publisher.publish(event)));

    await waitFor(() => seen.length >= 40, { timeoutMs: 10_000 });
    expect(seen.map((s) => s.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(new Set(seen.filter((s) => s.replica === 1).map((s) => s.id)).size).toBeGreaterThan(0);
    expect(new Set(seen.filter((s) => s.replica === 2).map((s) => s.id)).size).toBeGreaterThan(0);
  });
});

describe('work queues declared ahead (WORK_QUEUES)', () => {
  it('keeps an event published before its consumer first started, until that consumer comes', async () => {
    const [queue, events] = Object.entries(WORK_QUEUES)[0]!;
    const publisher = track(createEventPublisher(broker('auth-service')));
    const early = registered(1000);
    await publisher.publish(early);

    const seen: string[] = [];
    const handlers = Object.fromEntries(
      events.map((type) => [type, (event: EventEnvelope) => void seen.push(event.id)]),
    );
    await ready(
      track(
        subscribe(broker('profile-service'), {
          delivery: { kind: 'competing', queue },
          logger,
          handlers,
        }),
      ),
    );

    await waitFor(() => seen.includes(early.id), { timeoutMs: 10_000 });
  });

  it('refuses a subscriber to a declared work queue that handles other events than declared', () => {
    const [queue] = Object.keys(WORK_QUEUES);
    expect(() =>
      subscribe(broker(), {
        delivery: { kind: 'competing', queue: queue! },
        logger,
        handlers: { 'order.created': () => undefined, 'session.revoked': () => undefined },
      }),
    ).toThrow(/WORK_QUEUES declares/);
  });
});

describe('broadcast', () => {
  it('hands every event to every replica', async () => {
    const received = new Map<number, string[]>([
      [1, []],
      [2, []],
      [3, []],
    ]);
    for (const replica of received.keys()) {
      await ready(
        track(
          subscribe(broker(`replica-${replica}`), {
            delivery: { kind: 'broadcast', service: 'broadcast-test' },
            logger,
            handlers: {
              'session.revoked': (event) => void received.get(replica)!.push(event.data.sessionId),
            },
          }),
        ),
      );
    }
    const publisher = track(createEventPublisher(broker('publisher')));
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    for (const sessionId of ['s1', 's2', 's3']) {
      await publisher.publish(
        createEvent('session.revoked', { sessionId, userId: 'u', reason: 'logout', expiresAt }),
      );
    }
    await waitFor(() => [...received.values()].every((ids) => ids.length === 3), {
      timeoutMs: 10_000,
    });
    for (const ids of received.values()) expect(ids).toEqual(['s1', 's2', 's3']);
  });
});

describe('failures', () => {
  it('dead-letters a malformed message without calling the handler', async () => {
    const queue = uniqueQueue('malformed');
    const handled: string[] = [];
    await ready(
      track(
        subscribe(broker(), {
          delivery: { kind: 'competing', queue },
          logger,
          handlers: { 'user.registered': (event) => void handled.push(event.id) },
        }),
      ),
    );
    await publishRawEvent('user.registered', '{"not": "an envelope"');
    await publishRawEvent(
      'user.registered',
      JSON.stringify({ ...registered(1), data: { userId: 42 } }),
    );

    let dead: GetMessage[] = [];
    await waitFor(
      async () => (dead = dead.concat(await drain(deadLetterQueueName(queue)))).length >= 2,
      {
        timeoutMs: 10_000,
      },
    );
    expect(dead.map((m) => m.content.toString())).toEqual([
      '{"not": "an envelope"',
      expect.stringContaining('"userId":42'),
    ]);
    expect(handled).toEqual([]);
  });

  it('retries a failing handler a bounded number of times, then dead-letters the message', async () => {
    const queue = uniqueQueue('poison');
    let calls = 0;
    await ready(
      track(
        subscribe(broker(), {
          delivery: { kind: 'competing', queue },
          logger,
          maxAttempts: 3,
          retryDelayMs: 10,
          handlers: {
            'user.registered': () => {
              calls += 1;
              throw new Error('downstream is broken');
            },
          },
        }),
      ),
    );
    const poison = registered(7);
    await track(createEventPublisher(broker('publisher'))).publish(poison);

    let dead: GetMessage[] = [];
    await waitFor(async () => (dead = await drain(deadLetterQueueName(queue))).length === 1, {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(dead[0]!.content.toString()).id).toBe(poison.id);
    expect(calls).toBe(3);
  });

  it('processes an event whose handler failed once on the retry', async () => {
    const queue = uniqueQueue('flaky');
    const done: string[] = [];
    let failuresLeft = 1;
    await ready(
      track(
        subscribe(broker(), {
          delivery: { kind: 'competing', queue },
          logger,
          retryDelayMs: 10,
          handlers: {
            'user.registered': (event) => {
              if (failuresLeft-- > 0) throw new Error('transient');
              done.push(event.id);
            },
          },
        }),
      ),
    );
    const event = registered(3);
    await track(createEventPublisher(broker('publisher'))).publish(event);
    await waitFor(() => done.length === 1, { timeoutMs: 10_000 });
    expect(done).toEqual([event.id]);
    expect(await drain(deadLetterQueueName(queue))).toEqual([]);
  });

  it('handles a duplicate event once', async () => {
    const queue = uniqueQueue('duplicate');
    const handled: string[] = [];
    await ready(
      track(
        subscribe(broker(), {
          delivery: { kind: 'competing', queue },
          logger,
          handlers: { 'user.registered': (event) => void handled.push(event.id) },
        }),
      ),
    );
    const publisher = track(createEventPublisher(broker('publisher')));
    const event = registered(5);
    const marker = registered(6);
    await publisher.publish(event);
    await publisher.publish(event);
    await publisher.publish(marker);
    await waitFor(() => handled.includes(marker.id), { timeoutMs: 10_000 });
    expect(handled.filter((id) => id === event.id)).toHaveLength(1);
  });
});

describe('channel setup', () => {
  /** A logger that keeps what it was given, by level. */
  function recordingLogger() {
    const entries: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
    const at =
      (level: string) =>
      (obj: object, msg?: string): void =>
        void entries.push({ level, obj: obj as Record<string, unknown>, msg });
    return { entries, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
  }

  it('logs a setup that fails, with the channel name, instead of crashing the process', async () => {
    const { entries, logger: recording } = recordingLogger();
    const connection = track(connectBroker(rabbit.url, { logger: recording, name: 'failing' }));
    const queue = uniqueQueue('failing-setup');
    track(
      subscribe(connection, {
        delivery: { kind: 'competing', queue },
        logger: recording,
        beforeConsume: () => Promise.reject(new Error('snapshot store on fire')),
        handlers: { 'user.registered': () => undefined },
      }),
    );
    const failure = await waitFor(
      () => entries.find((e) => e.level === 'error' && e.msg === 'channel setup failed'),
      { timeoutMs: 10_000 },
    );
    expect(failure.obj).toEqual({ channel: `subscriber:${queue}`, err: 'snapshot store on fire' });
  });

  it('closes channels while their setup waits for the broker without an unhandled error', async () => {
    // The race that once failed CI: a service stopped right after the broker connected, while
    // the publisher was still declaring its exchanges. Close at many points along the way.
    const { entries, logger: recording } = recordingLogger();
    for (let delayMs = 0; delayMs < 40; delayMs += 2) {
      const connection = connectBroker(rabbit.url, { logger: recording, name: `race-${delayMs}` });
      const publisher = createEventPublisher(connection);
      const subscription = subscribe(connection, {
        delivery: { kind: 'broadcast', service: 'race' },
        logger: recording,
        handlers: { 'user.registered': () => undefined },
      });
      await new Promise<void>((resolve) => connection.manager.once('connect', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delayMs % 10));
      await Promise.all([publisher.close(), subscription.close()]);
      await connection.close();
    }
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
  });
});

describe('outbox relay across a broker restart', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query(OUTBOX_DDL);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('delivers every event written while the broker was down, once it returns', async () => {
    const sql = pgSqlClient(pool);
    const queue = uniqueQueue('outbox');
    const received = new Set<string>();
    let snapshots = 0;
    const subscription = track(
      subscribe(broker('consumer'), {
        delivery: { kind: 'competing', queue },
        logger,
        beforeConsume: async () => void (snapshots += 1),
        handlers: { 'user.registered': (event) => void received.add(event.id) },
      }),
    );
    await ready(subscription);
    const connection = broker('relay');
    const publisher: EventPublisher = track(createEventPublisher(connection, { timeoutMs: 1000 }));
    const relay = new OutboxRelay({
      db: sql,
      publisher,
      broker: connection,
      logger,
      intervalMs: 50,
    });
    relay.start();
    open.push({ close: () => relay.stop() });

    const written: EventEnvelope[] = [];
    const write = async (n: number) => {
      const event = registered(n);
      await sql.$transaction((tx) => enqueueEvent(tx, event));
      written.push(event);
    };

    for (let i = 0; i < 20; i++) await write(i);
    await waitFor(() => received.size === 20, { timeoutMs: 10_000 });

    await rabbit.stopBroker();
    for (let i = 20; i < 60; i++) await write(i);
    await rabbit.startBroker();

    await waitFor(() => received.size === 60, { timeoutMs: 30_000 });
    expect([...received].sort()).toEqual(written.map((e) => e.id).sort());
    // Rows are marked in the relay's transaction once the broker confirms, which may follow the
    // delivery: none stays pending for long.
    await waitFor(
      async () =>
        (await pool.query('SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 1')).rowCount ===
        0,
      { timeoutMs: 10_000, description: 'every outbox row marked published' },
    );
    expect(snapshots).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('deletes published rows once they are older than the retention, and never a pending one', async () => {
    await pool.query('TRUNCATE outbox');
    const sql = pgSqlClient(pool);
    const events = [registered(100), registered(101), registered(102)];
    for (const event of events) await sql.$transaction((tx) => enqueueEvent(tx, event));
    const [old, recent, pending] = events.map((event) => event.id);
    await pool.query(`UPDATE outbox SET published_at = now() - interval '25 hours' WHERE id = $1`, [
      old,
    ]);
    await pool.query(`UPDATE outbox SET published_at = now() - interval '23 hours' WHERE id = $1`, [
      recent,
    ]);
    await pool.query(`UPDATE outbox SET occurred_at = now() - interval '48 hours' WHERE id = $1`, [
      pending,
    ]);
    const connection = broker('purging-relay');
    const relay = new OutboxRelay({
      db: sql,
      publisher: track(createEventPublisher(connection)),
      broker: connection,
      logger,
    });

    expect(await relay.purgePublished()).toBe(1);
    const left = await pool.query<{ id: string }>('SELECT id::text AS id FROM outbox ORDER BY id');
    expect(left.rows.map((row) => row.id).sort()).toEqual([recent, pending].sort());
  });
});
