import { createEvent, enqueueEvent, type EventEnvelope, type EventType } from '@dja/messaging';
import type { Transaction } from '../database';

/**
 * Records an event in the outbox table. Call it with the transaction that makes the change the
 * event describes: both commit or neither does, so no event is lost or announced in vain.
 * The event catalog (types and data) is libs/messaging's, shared with every consumer.
 */
export async function appendEvent<T extends EventType>(
  tx: Transaction,
  type: T,
  data: EventEnvelope<T>['data'],
  occurredAt: Date,
): Promise<void> {
  await enqueueEvent(tx, createEvent(type, data, occurredAt));
}
