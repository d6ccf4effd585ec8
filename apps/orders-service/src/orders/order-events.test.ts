import { randomUUID } from 'node:crypto';
import { type EventEnvelope, subscribe, type Subscription } from '@dja/messaging';
import { waitFor } from '@dja/test-infra';
import request from 'supertest';
import { startTestService, type TestService } from '../../test/support/test-service';

let service: TestService;
let subscription: Subscription;
const received: Array<EventEnvelope<'order.created'>> = [];

beforeAll(async () => {
  service = await startTestService();
  await waitFor(() => service.broker.isConnected(), { timeoutMs: 10_000, description: 'broker' });
  // A consumer such as notifications-service: its own durable queue bound to order.created.
  subscription = subscribe(service.broker, {
    delivery: { kind: 'competing', queue: `test.orders.${randomUUID()}` },
    logger: service.deps.logger,
    handlers: { 'order.created': (event) => void received.push(event) },
  });
  await waitFor(() => subscription.queue(), { timeoutMs: 10_000, description: 'queue bound' });
});
afterAll(async () => {
  await subscription.close();
  await service.stop();
});

it('publishes order.created through the outbox relay to RabbitMQ, where a subscriber gets it', async () => {
  const userId = randomUUID();
  const items = [{ sku: 'BOOK-1', quantity: 2 }];
  const res = await request(service.app)
    .post('/orders')
    .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
    .send({ items });
  expect(res.status).toBe(201);

  const event = await waitFor(() => received.find((e) => e.data.orderId === res.body.id), {
    timeoutMs: 10_000,
    description: 'order.created to arrive',
  });
  expect(event).toEqual({
    id: expect.any(String),
    type: 'order.created',
    occurredAt: res.body.createdAt,
    data: { orderId: res.body.id, userId, items, createdAt: res.body.createdAt },
  });
  // The relay marks the row once the broker confirms, which may be after the delivery.
  await waitFor(
    async () =>
      (await service.deps.db.outboxEvent.findUnique({ where: { id: event.id } }))?.publishedAt,
    { timeoutMs: 10_000, description: `outbox row ${event.id} marked published` },
  );
});

it('publishes once for an idempotent retry', async () => {
  const userId = randomUUID();
  const key = randomUUID();
  const send = () =>
    request(service.app)
      .post('/orders')
      .set('Authorization', `Bearer ${service.tokenFor(userId)}`)
      .set('Idempotency-Key', key)
      .send({ items: [{ sku: 'A', quantity: 1 }] });
  const first = await send();
  await send();
  await waitFor(() => received.some((e) => e.data.orderId === first.body.id), {
    timeoutMs: 10_000,
  });
  // Anything still pending would be published by a flush; after it there is still one event.
  await service.deps.events.flush(10_000);
  const unpublished = await service.deps.db.outboxEvent.count({ where: { publishedAt: null } });
  expect(unpublished).toBe(0);
  expect(received.filter((e) => e.data.userId === userId)).toHaveLength(1);
});
