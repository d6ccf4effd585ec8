import { SpanKind, trace } from '@opentelemetry/api';
import amqplib from 'amqplib';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { inSpan } from '@dja/telemetry';
import { installTestTracing } from '@dja/telemetry/testing';
import {
  createTestDatabase,
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
  createMessagingMetrics,
  deadLetterQueueName,
  enqueueEvent,
  EVENTS_EXCHANGE,
  OutboxRelay,
  registerOutboxMetrics,
  subscribe,
} from './index';
import { OUTBOX_DDL, pgSqlClient } from '../test/pg-sql-client';

jest.setTimeout(60_000);
const tracing = installTestTracing();
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let rabbit: RabbitMQServer;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  // Its own node, even with a shared TEST_AMQP_URL: a test below stops and restarts it.
  rabbit = await startRabbitMQ({ own: true });
}, 90_000);

afterAll(async () => {
  await rabbit?.stop();
  tracing.uninstall();
});

afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close().catch(() => undefined);
  tracing.reset();
});

function track<T extends { close(): Promise<void> }>(item: T): T {
  open.push(item);
  return item;
}

const broker = (name: string): BrokerConnection =>
  track(connectBroker(rabbit.url, { logger, name, reconnectSeconds: 0.2 }));
const uniqueQueue = (label: string) => `trace.${label}.${Math.random().toString(36).slice(2)}`;
const registered = (n: number) =>
  createEvent('user.registered', { userId: `user-${n}`, email: `user${n}@example.test` });
const spansNamed = (name: string) => tracing.spans().filter((span) => span.name === name);
const traceparentOf = (traceId: string, spanId: string) => `00-${traceId}-${spanId}-01`;

/** A queue bound to the events exchange that nobody consumes, to read messages as sent. */
async function tapQueue(routingKey: string): Promise<string> {
  const queue = uniqueQueue('tap');
  const connection = await amqplib.connect(rabbit.url);
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, routingKey);
  } finally {
    await connection.close();
  }
  return queue;
}

describe('trace context on AMQP messages', () => {
  it('injects the producer span as traceparent and runs the handler in a consumer span that is its child', async () => {
    const tap = await tapQueue('user.registered');
    const queue = uniqueQueue('consumer');
    let handlerSpanId: string | undefined;
    const subscription = track(
      subscribe(broker('consumer'), {
        delivery: { kind: 'competing', queue },
        logger,
        handlers: {
          'user.registered': () =>
            void (handlerSpanId = trace.getActiveSpan()?.spanContext().spanId),
        },
      }),
    );
    await waitFor(() => subscription.queue() !== undefined, { timeoutMs: 10_000 });
    const publisher = track(createEventPublisher(broker('publisher')));
    const event = registered(1);

    const request = await inSpan('POST /users', {}, async (span) => {
      await publisher.publish(event);
      return span.spanContext();
    });
    await waitFor(() => handlerSpanId !== undefined, { timeoutMs: 10_000 });

    const [producer] = spansNamed('publish user.registered');
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(producer?.spanContext().traceId).toBe(request.traceId);
    expect(producer?.parentSpanContext?.spanId).toBe(request.spanId);
    expect(producer?.attributes['messaging.message.id']).toBe(event.id);

    const [sent] = await takeMessages(rabbit.url, tap);
    expect(sent?.properties.headers?.traceparent).toBe(
      traceparentOf(request.traceId, producer!.spanContext().spanId),
    );

    await waitFor(() => spansNamed('process user.registered').length === 1, { timeoutMs: 5_000 });
    const [consumer] = spansNamed('process user.registered');
    expect(consumer?.kind).toBe(SpanKind.CONSUMER);
    expect(consumer?.spanContext().traceId).toBe(request.traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(handlerSpanId).toBe(consumer!.spanContext().spanId);
  });

  it('keeps the producer’s context on every retry and on the dead-lettered message, and counts them', async () => {
    const queue = uniqueQueue('poison');
    const metrics = new Registry();
    const subscription = track(
      subscribe(broker('consumer'), {
        delivery: { kind: 'competing', queue },
        logger,
        maxAttempts: 3,
        retryDelayMs: 10,
        metrics: createMessagingMetrics(metrics),
        handlers: {
          'user.registered': () => {
            throw Object.assign(new Error('downstream is broken'), { code: 'ERR_DOWNSTREAM' });
          },
        },
      }),
    );
    await waitFor(() => subscription.queue() !== undefined, { timeoutMs: 10_000 });
    const publisher = track(createEventPublisher(broker('publisher')));
    await inSpan('POST /users', {}, () => publisher.publish(registered(2)));
    const producer = spansNamed('publish user.registered')[0]!.spanContext();

    let dead: amqplib.GetMessage[] = [];
    await waitFor(
      async () => (dead = await takeMessages(rabbit.url, deadLetterQueueName(queue))).length === 1,
      {
        timeoutMs: 10_000,
      },
    );
    expect(dead[0]!.properties.headers?.traceparent).toBe(
      traceparentOf(producer.traceId, producer.spanId),
    );
    await waitFor(() => spansNamed('process user.registered').length === 3, {
      timeoutMs: 5_000,
      description: JSON.stringify(tracing.spans().map((s) => [s.name, s.attributes])),
    });
    const attempts = spansNamed('process user.registered');
    for (const [i, span] of attempts.entries()) {
      expect(span.parentSpanContext?.spanId).toBe(producer.spanId);
      expect(span.attributes['messaging.rabbitmq.attempt']).toBe(i + 1);
      expect(span.status).toEqual({ code: 2, message: 'ERR_DOWNSTREAM' });
    }
    const text = await metrics.metrics();
    expect(text).toContain(`messaging_handler_retries_total{queue="${queue}"} 2`);
    expect(text).toContain(
      `messaging_dead_lettered_total{queue="${queue}",reason="handler_failed"} 1`,
    );
  });
});

describe('trace context through the outbox', () => {
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

  it('publishes an event written during a broker outage in the trace of the request that wrote it', async () => {
    const sql = pgSqlClient(pool);
    const queue = uniqueQueue('outbox');
    const received: string[] = [];
    const subscription = track(
      subscribe(broker('consumer'), {
        delivery: { kind: 'competing', queue },
        logger,
        handlers: { 'user.registered': (event) => void received.push(event.id) },
      }),
    );
    await waitFor(() => subscription.queue() !== undefined, { timeoutMs: 10_000 });
    const connection = broker('relay');
    const metrics = new Registry();
    registerOutboxMetrics(metrics, sql);
    const relay = new OutboxRelay({
      db: sql,
      publisher: track(createEventPublisher(connection, { timeoutMs: 1000 })),
      broker: connection,
      logger,
      intervalMs: 50,
      metrics: createMessagingMetrics(metrics),
    });
    relay.start();
    open.push({ close: () => relay.stop() });

    await rabbit.stopBroker();
    const event = registered(3);
    const request = await inSpan('POST /users', {}, async (span) => {
      await sql.$transaction((tx) => enqueueEvent(tx, event));
      return span.spanContext();
    });
    const { rows } = await pool.query('SELECT trace_context FROM outbox WHERE id = $1', [event.id]);
    expect(rows[0].trace_context).toEqual({
      traceparent: traceparentOf(request.traceId, request.spanId),
    });
    expect(await metrics.metrics()).toMatch(/^outbox_pending_events 1$/m);

    await rabbit.startBroker();
    // A flush from inside some other trace (a later request, say) must not adopt the event.
    const other = await inSpan('GET /elsewhere', {}, async (span) => {
      await waitFor(() => connection.isConnected(), { timeoutMs: 20_000 });
      await relay.flush();
      return span.spanContext();
    });
    await waitFor(() => received.includes(event.id), { timeoutMs: 20_000 });

    const [producer] = spansNamed('publish user.registered');
    expect(producer?.spanContext().traceId).toBe(request.traceId);
    expect(producer?.spanContext().traceId).not.toBe(other.traceId);
    expect(producer?.parentSpanContext?.spanId).toBe(request.spanId);
    await waitFor(() => spansNamed('process user.registered').length === 1, { timeoutMs: 5_000 });
    const [consumer] = spansNamed('process user.registered');
    expect(consumer?.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(await metrics.metrics()).toMatch(/^outbox_pending_events 0$/m);
  }, 90_000);
});
