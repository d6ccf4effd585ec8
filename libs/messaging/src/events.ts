import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * The event catalog: every event that crosses a service boundary, with the schema of its data.
 * docs/events.md describes each one (routing key, producer, consumers, delivery pattern).
 * Timestamps are ISO 8601 strings; `expiresAt` tells a consumer how long an entry matters.
 */
export const eventData = {
  'user.registered': z.object({
    userId: z.string().min(1),
    email: z.email(),
    name: z.string().nullable().optional(),
  }),
  'user.suspended': z.object({
    userId: z.string().min(1),
    /** Tokens issued at or before this instant are refused. */
    suspendedAt: z.iso.datetime(),
    /** When the last access token issued before the suspension expires. */
    expiresAt: z.iso.datetime(),
  }),
  'user.unsuspended': z.object({
    userId: z.string().min(1),
    unsuspendedAt: z.iso.datetime(),
  }),
  'session.revoked': z.object({
    sessionId: z.string().min(1),
    userId: z.string().min(1),
    reason: z.enum(['logout', 'refresh_token_reuse', 'user_suspended']),
    /** When the last access token issued for the session expires. */
    expiresAt: z.iso.datetime(),
  }),
  'signing-key.withdrawn': z.object({
    /** Refuse tokens with this kid from now on, whatever a JWKS says. */
    kid: z.string().min(1),
    withdrawnAt: z.iso.datetime(),
    /** Subject of the admin who withdrew it (audit). */
    withdrawnBy: z.string().min(1),
    /** The key that signs from now on; a verifier that does not know it fetches the JWKS. */
    activeKid: z.string().min(1),
  }),
  'order.created': z.object({
    orderId: z.string().min(1),
    userId: z.string().min(1),
    items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1),
    createdAt: z.iso.datetime(),
  }),
} as const;

export type EventType = keyof typeof eventData;
export const EVENT_TYPES = Object.keys(eventData) as EventType[];

/** What travels on the wire: an id for idempotency, a type that is also the routing key. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  occurredAt: string;
  data: z.infer<(typeof eventData)[T]>;
}

/** Any event of the catalog, narrowed by `type`. */
export type DomainEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

export function createEvent<T extends EventType>(
  type: T,
  data: z.infer<(typeof eventData)[T]>,
  occurredAt: Date = new Date(),
): EventEnvelope<T> {
  return { id: randomUUID(), type, occurredAt: occurredAt.toISOString(), data };
}

const envelopeShape = z.object({
  id: z.uuid(),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
});

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  readonly code = 'ERR_EVENT_MALFORMED';
}

/** Validates an event received from the broker; a message that fails is dead-lettered. */
export function parseEvent(raw: Buffer | string): DomainEvent {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    throw new MalformedEventError('message body is not JSON');
  }
  const envelope = envelopeShape.safeParse(json);
  if (!envelope.success) throw new MalformedEventError(`bad envelope: ${envelope.error.message}`);
  const { type } = envelope.data;
  const data = eventData[type].safeParse(envelope.data.data);
  if (!data.success) throw new MalformedEventError(`bad ${type} data: ${data.error.message}`);
  return { ...envelope.data, data: data.data } as DomainEvent;
}
