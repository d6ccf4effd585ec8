import {
  type BrokerConnection,
  connectBroker,
  createEvent,
  createEventPublisher,
  deadLetterQueueName,
  type EventEnvelope,
  type EventPublisher,
  type Subscription,
} from '@dja/messaging';
import { takeMessages, testAmqpUrl, waitFor } from '@dja/test-infra';
import request from 'supertest';
import { notifyOrderConfirmation } from '../notifications/record-notification';
import {
  newUserId,
  startReplica,
  startTestWorld,
  type TestReplica,
  type TestReplicaOptions,
  type TestWorld,
  uniqueQueue,
  userToken,
} from '../../test/support/test-service';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let world: TestWorld;
let publisherBroker: BrokerConnection;
let publisher: EventPublisher;
const replicas: TestReplica[] = [];

beforeAll(async () => {
  world = await startTestWorld();
  publisherBroker = connectBroker(testAmqpUrl(), { logger: silent, name: 'test-publisher' });
  publisher = createEventPublisher(publisherBroker);
});
afterEach(async () => {
  for (const replica of replicas.splice(0)) await replica.stop();
  world.profiles.setAvailable(true);
});
afterAll(async () => {
  await publisher.close();
  await publisherBroker.close();
  await world.close();
});

async function replica(options: TestReplicaOptions = {}): Promise<TestReplica> {
  const started = await startReplica(world, options);
  replicas.push(started);
  return started;
}

async function consuming(subscription: Subscription): Promise<Subscription> {
  await waitFor(() => subscription.queue() !== undefined, { description: 'queue to be bound' });
  return subscription;
}

/** A user whose profile profile-service can return. */
function userWithProfile(displayName = 'Ada') {
  const userId = newUserId();
  world.profiles.profiles.set(userId, { displayName, email: `${userId}@example.com` });
  return userId;
}

const orderCreated = (userId: string, orderId = `order-${newUserId().slice(0, 8)}`) =>
  createEvent('order.created', {
    orderId,
    userId,
    items: [
      { sku: 'book', quantity: 1 },
      { sku: 'pen', quantity: 1 },
    ],
    createdAt: new Date().toISOString(),
  });

function notificationsOf(replica: TestReplica, userId: string) {
  return replica.deps.db.notification.findMany({ where: { userId } });
}

/** Waits until `userId` has exactly `count` notifications, and returns them. */
function waitForNotifications(replica: TestReplica, userId: string, count: number) {
  return waitFor(async () => {
    const rows = await notificationsOf(replica, userId);
    return rows.length === count ? rows : undefined;
  });
}

async function handled(replica: TestReplica, outcome: 'recorded' | 'duplicate'): Promise<number> {
  const metric = await replica.deps.notificationMetrics.eventsHandled.get();
  return metric.values
    .filter((value) => value.labels.outcome === outcome)
    .reduce((sum, value) => sum + value.value, 0);
}

describe('consuming events from the broker', () => {
  it('turns order.created into one notification addressed with the profile’s display name', async () => {
    const service = await replica();
    await consuming(service.consume(uniqueQueue()));
    const userId = userWithProfile('Ada');
    const event = orderCreated(userId, 'order-42');

    await publisher.publish(event);

    const [notification] = await waitForNotifications(service, userId, 1);
    expect(notification).toMatchObject({
      eventId: event.id,
      userId,
      kind: 'order_confirmation',
      title: 'Order confirmed',
      body: 'Hi Ada, your order order-42 of 2 items is confirmed.',
      recipientEmail: `${userId}@example.com`,
      orderId: 'order-42',
    });

    // The same notification is what the user reads over HTTP.
    const res = await request(service.app)
      .get('/notifications')
      .set('Authorization', `Bearer ${userToken(world, userId)}`);
    expect(res.body.items).toEqual([
      expect.objectContaining({ id: notification!.id, orderId: 'order-42' }),
    ]);
  });

  it('turns user.registered into a welcome notification', async () => {
    const service = await replica();
    await consuming(service.consume(uniqueQueue()));
    const userId = userWithProfile('Grace');

    await publisher.publish(
      createEvent('user.registered', { userId, email: `${userId}@example.com` }),
    );

    const rows = await waitForNotifications(service, userId, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'welcome', orderId: null });
    expect(rows[0]!.body).toContain('Hi Grace');
  });

  it('fetches one service token for ten events and reuses it from the cache', async () => {
    const service = await replica();
    await consuming(service.consume(uniqueQueue()));
    const before = world.auth.tokensIssued;
    const userId = userWithProfile();

    for (let i = 0; i < 10; i += 1) await publisher.publish(orderCreated(userId));

    await waitForNotifications(service, userId, 10);
    expect(world.auth.tokensIssued - before).toBe(1);
  });

  it('records one notification for an event delivered twice', async () => {
    const first = await replica({ replicaId: 'a' });
    const queue = uniqueQueue();
    const firstSubscription = await consuming(first.consume(queue));
    const userId = userWithProfile();
    const event = orderCreated(userId);

    await publisher.publish(event);
    await waitFor(async () => (await handled(first, 'recorded')) === 1);
    await firstSubscription.close();

    // The redelivery reaches another replica, which has no memory of the first delivery.
    const second = await replica({ replicaId: 'b' });
    await consuming(second.consume(queue));
    await publisher.publish(event);

    await waitFor(async () => (await handled(second, 'duplicate')) === 1);
    expect(await handled(second, 'recorded')).toBe(0);
    expect(await notificationsOf(second, userId)).toHaveLength(1);
  });

  it('records one notification when the same event is handled twice at the same moment', async () => {
    const service = await replica();
    const userId = userWithProfile();
    const event = orderCreated(userId);

    await Promise.all([
      notifyOrderConfirmation(service.deps, event),
      notifyOrderConfirmation(service.deps, event),
    ]);

    expect(await notificationsOf(service, userId)).toHaveLength(1);
    expect(await handled(service, 'recorded')).toBe(1);
    expect(await handled(service, 'duplicate')).toBe(1);
  });

  it('shares the queue between two replicas: 20 events make exactly 20 notifications', async () => {
    const queue = uniqueQueue();
    const one = await replica({ replicaId: 'one' });
    const two = await replica({ replicaId: 'two' });
    await consuming(one.consume(queue));
    await consuming(two.consume(queue));
    const userId = userWithProfile();
    const events: EventEnvelope[] = Array.from({ length: 20 }, () => orderCreated(userId));

    await Promise.all(events.map((event) => publisher.publish(event)));

    await waitFor(
      async () => (await handled(one, 'recorded')) + (await handled(two, 'recorded')) === 20,
    );
    const rows = await notificationsOf(one, userId);
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((row) => row.eventId))).toEqual(
      new Set(events.map((event) => event.id)),
    );
    expect((await handled(one, 'duplicate')) + (await handled(two, 'duplicate'))).toBe(0);
  });

  it('retries while profile-service is unavailable and records the notification once it is back', async () => {
    const service = await replica({
      env: { EVENT_MAX_ATTEMPTS: '10', EVENT_RETRY_DELAY_MS: '100' },
    });
    await consuming(service.consume(uniqueQueue()));
    const userId = userWithProfile();
    world.profiles.setAvailable(false);
    const requestsBefore = world.profiles.requests;

    await publisher.publish(orderCreated(userId));

    await waitFor(() => world.profiles.requests - requestsBefore >= 2, { intervalMs: 10 });
    expect(await notificationsOf(service, userId)).toHaveLength(0);
    world.profiles.setAvailable(true);

    await waitForNotifications(service, userId, 1);
    expect(service.logs.join('')).toContain('will retry');
  });

  it('retries while the profile does not exist yet and records the notification once it does', async () => {
    const service = await replica({
      env: { EVENT_MAX_ATTEMPTS: '10', EVENT_RETRY_DELAY_MS: '100' },
    });
    await consuming(service.consume(uniqueQueue()));
    const userId = newUserId();
    const requestsBefore = world.profiles.requests;

    await publisher.publish(createEvent('user.registered', { userId, email: 'late@example.com' }));

    await waitFor(() => world.profiles.requests - requestsBefore >= 2, { intervalMs: 10 });
    world.profiles.profiles.set(userId, { displayName: 'Late', email: 'late@example.com' });

    const rows = await waitForNotifications(service, userId, 1);
    expect(rows[0]!.body).toContain('Hi Late');
  });

  it('dead-letters an event whose profile never appears, after the configured attempts', async () => {
    const service = await replica({ env: { EVENT_MAX_ATTEMPTS: '3', EVENT_RETRY_DELAY_MS: '20' } });
    const queue = uniqueQueue();
    await consuming(service.consume(queue));
    const userId = newUserId();
    const requestsBefore = world.profiles.requests;
    const event = orderCreated(userId);

    await publisher.publish(event);

    const deadLetter = await waitFor(
      async () => (await takeMessages(testAmqpUrl(), deadLetterQueueName(queue), 1))[0],
    );
    expect(JSON.parse(deadLetter.content.toString()).id).toBe(event.id);
    expect(world.profiles.requests - requestsBefore).toBe(3);
    expect(await notificationsOf(service, userId)).toHaveLength(0);
  });
});
