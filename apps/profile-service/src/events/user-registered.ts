import type { EventEnvelope } from '@dja/messaging';
import { z } from 'zod';
import type { Database } from '../database';
import { createProfileOnRegistration } from '../profiles/profile-store';

/** Our user ids are UUIDs; the catalog only promises a non-empty string. */
const userId = z.uuid();

export class UnusableEventError extends Error {
  override readonly name = 'UnusableEventError';
  readonly code = 'ERR_EVENT_UNUSABLE';
}

/**
 * Creates the new user's profile. Idempotent: the same event twice (redelivery, a republished
 * outbox row, two replicas) creates one profile and never overwrites one the user has edited.
 */
export async function onUserRegistered(
  deps: { db: Database; clock: () => Date; logger: { info(obj: object, msg?: string): void } },
  event: EventEnvelope<'user.registered'>,
): Promise<void> {
  if (!userId.safeParse(event.data.userId).success) {
    // Thrown errors are retried and then dead-lettered, where an operator can inspect it.
    throw new UnusableEventError(`user.registered ${event.id}: userId is not a UUID`);
  }
  const created = await createProfileOnRegistration(deps.db, event.data, deps.clock());
  deps.logger.info(
    { eventId: event.id, userId: event.data.userId, created },
    created ? 'profile created' : 'profile already existed',
  );
}
