import {
  createEvent,
  createEventPublisher,
  type EventPublisher,
  EVENTS_EXCHANGE,
} from '@dja/messaging';
import { publishRaw, takeMessages, testAmqpUrl, waitFor } from '@dja/test-infra';
import request from 'supertest';
import { newUser, startTestService, type TestService } from '../../test/support/test-service';
import { USER_REGISTERED_QUEUE } from './subscriptions';
import { onUserRegistered } from './user-registered';

const DEAD_LETTER_QUEUE = `${USER_REGISTERED_QUEUE}.dead-letter`;

let service: TestService;
let publisher: EventPublisher;

beforeAll(async () => {
  // The production queue name: this is the only test file that consumes from it.
  service = await startTestService({ consumeFrom: USER_REGISTERED_QUEUE, maxAttempts: 2 });
  publisher = createEventPublisher(service.broker);
});

afterAll(async () => {
  await publisher.close();
  await service.stop();
});

const profileOf = (userId: string) => service.deps.db.profile.findUnique({ where: { userId } });

const drain = (queue: string) => takeMessages(testAmqpUrl(), queue);
const publishRawEvent = (body: string) =>
  publishRaw(testAmqpUrl(), { exchange: EVENTS_EXCHANGE, routingKey: 'user.registered' }, body);

/** Waits until the service logged that it handled (created or skipped) this event. */
const handled = (eventId: string) =>
  waitFor(() => service.logs.some((line) => line.includes(eventId)), {
    timeoutMs: 10_000,
    description: `event ${eventId} to be handled`,
  });

describe('user.registered', () => {
  it('creates the profile from the event, named after the registration', async () => {
    const user = newUser();
    await publisher.publish(
      createEvent('user.registered', { userId: user.id, email: user.email, name: 'Ada Lovelace' }),
    );
    const profile = await waitFor(() => profileOf(user.id), { timeoutMs: 10_000 });
    expect(profile).toMatchObject({
      userId: user.id,
      email: user.email,
      displayName: 'Ada Lovelace',
      bio: null,
      locale: null,
      timeZone: null,
    });
    const res = await request(service.app)
      .get('/profile/me')
      .set('Authorization', `Bearer ${service.userToken(user)}`);
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Ada Lovelace');
  });

  it('names the profile after the e-mail’s local part when the event has no name', async () => {
    const user = { ...newUser(), email: 'grace.hopper@example.com' };
    await publisher.publish(createEvent('user.registered', { userId: user.id, email: user.email }));
    const profile = await waitFor(() => profileOf(user.id), { timeoutMs: 10_000 });
    expect(profile.displayName).toBe('grace.hopper');
  });

  it('processes the same event twice into one profile', async () => {
    const user = newUser();
    const event = createEvent('user.registered', { userId: user.id, email: user.email });
    await publisher.publish(event);
    await publisher.publish(event);
    await waitFor(() => profileOf(user.id), { timeoutMs: 10_000 });
    // A later event on the same queue is handled after both copies.
    const marker = createEvent('user.registered', newUserData());
    await publisher.publish(marker);
    await handled(marker.id);
    expect(await service.deps.db.profile.count({ where: { userId: user.id } })).toBe(1);
  });

  it('creates one profile when two replicas each get a copy of the event', async () => {
    // Each replica remembers recent event ids only in memory; the database is what dedupes.
    const user = newUser();
    const event = createEvent('user.registered', { userId: user.id, email: user.email });
    await Promise.all([
      onUserRegistered(service.deps, event),
      onUserRegistered(service.deps, event),
    ]);
    expect(await service.deps.db.profile.count({ where: { userId: user.id } })).toBe(1);
  });

  it('does not overwrite a profile the user edited when the event comes again', async () => {
    const user = newUser();
    const event = createEvent('user.registered', {
      userId: user.id,
      email: user.email,
      name: 'Old',
    });
    await publisher.publish(event);
    await waitFor(() => profileOf(user.id), { timeoutMs: 10_000 });
    await request(service.app)
      .put('/profile/me')
      .set('Authorization', `Bearer ${service.userToken(user)}`)
      .send({ displayName: 'Edited', locale: 'de' })
      .expect(200);

    // The same event republished (e.g. by the outbox relay after a crash), and a new one with
    // the same user: neither touches the edited profile.
    await publisher.publish(event);
    const again = createEvent('user.registered', {
      userId: user.id,
      email: user.email,
      name: 'Old',
    });
    await publisher.publish(again);
    await handled(again.id);

    expect(await profileOf(user.id)).toMatchObject({ displayName: 'Edited', locale: 'de' });
    expect(await service.deps.db.profile.count({ where: { userId: user.id } })).toBe(1);
  });

  it('creates the profile only from the event: saving one before it arrived answers 404', async () => {
    const user = newUser();
    const save = () =>
      request(service.app)
        .put('/profile/me')
        .set('Authorization', `Bearer ${service.userToken(user)}`)
        .send({ displayName: 'First' });
    expect((await save()).status).toBe(404);
    expect(await profileOf(user.id)).toBeNull();
    const event = createEvent('user.registered', {
      userId: user.id,
      email: user.email,
      name: 'Late',
    });
    await publisher.publish(event);
    await handled(event.id);
    expect(await profileOf(user.id)).toMatchObject({ displayName: 'Late', email: user.email });
    expect((await save()).status).toBe(200);
    expect(await profileOf(user.id)).toMatchObject({ displayName: 'First' });
  });

  it('dead-letters a message that is not JSON and keeps consuming', async () => {
    await drain(DEAD_LETTER_QUEUE);
    await publishRawEvent('{"id": "broken');
    const dead = await waitFor(async () => (await drain(DEAD_LETTER_QUEUE))[0], {
      timeoutMs: 10_000,
      description: 'the malformed message in the dead-letter queue',
    });
    expect(dead.content.toString()).toBe('{"id": "broken');
    await expectStillConsuming();
  });

  it('dead-letters an event whose data breaks the catalog schema', async () => {
    await drain(DEAD_LETTER_QUEUE);
    const event = createEvent('user.registered', newUserData());
    await publishRawEvent(
      JSON.stringify({ ...event, data: { userId: event.data.userId, email: 'nope' } }),
    );
    const dead = await waitFor(async () => (await drain(DEAD_LETTER_QUEUE))[0], {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(dead.content.toString()).id).toBe(event.id);
    expect(await profileOf(event.data.userId)).toBeNull();
    await expectStillConsuming();
  });

  it('dead-letters an event whose user id is not a UUID after its retries', async () => {
    await drain(DEAD_LETTER_QUEUE);
    const event = createEvent('user.registered', { userId: 'user-42', email: 'x@example.com' });
    await publisher.publish(event);
    const dead = await waitFor(async () => (await drain(DEAD_LETTER_QUEUE))[0], {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(dead.content.toString()).id).toBe(event.id);
    await expectStillConsuming();
  });
});

function newUserData() {
  const user = newUser();
  return { userId: user.id, email: user.email };
}

async function expectStillConsuming() {
  const data = newUserData();
  await publisher.publish(createEvent('user.registered', data));
  await waitFor(() => profileOf(data.userId), { timeoutMs: 10_000 });
}
