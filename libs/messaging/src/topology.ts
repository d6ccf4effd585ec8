import type { ConfirmChannel } from 'amqplib';
import type { EventType } from './events';

/** Every event is published once to this durable topic exchange, routed by its type. */
export const EVENTS_EXCHANGE = 'dja.events';
/** Messages a consumer gave up on are routed here, by their original queue name. */
export const DEAD_LETTER_EXCHANGE = 'dja.dead-letter';

export const deadLetterQueueName = (queue: string) => `${queue}.dead-letter`;

/** Declares the exchanges; idempotent, so every process runs it on every (re)connect. */
export async function assertExchanges(channel: ConfirmChannel): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
}

/**
 * Declares a durable dead-letter queue for `queue` and the arguments that send rejected
 * messages there. Dead letters are routed by the original queue name, so one exchange serves all.
 */
export async function assertDeadLetterQueue(
  channel: ConfirmChannel,
  queue: string,
  deadLetterKey: string = queue,
): Promise<Record<string, string>> {
  const dlq = deadLetterQueueName(deadLetterKey);
  await channel.assertQueue(dlq, { durable: true });
  await channel.bindQueue(dlq, DEAD_LETTER_EXCHANGE, deadLetterKey);
  return {
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    'x-dead-letter-routing-key': deadLetterKey,
  };
}

/**
 * The system's durable work queues (competing consumers) and the events bound to each. Every
 * publisher declares them on every (re)connect, so an event published before its consumer first
 * started waits in its queue instead of being dropped by an exchange with nothing bound to it:
 * the admin that auth-service seeds on its first start, before profile-service is up, still gets
 * a profile and a welcome notification. A subscriber to one of these queues must handle exactly
 * these events (`subscribe` checks). Broadcast queues are per replica and per connection, so
 * they are not declared ahead: a replica that was away catches up from its snapshot instead.
 */
export const WORK_QUEUES: Readonly<Record<string, readonly EventType[]>> = {
  'profile-service.user-registered': ['user.registered'],
  'notifications-service.events': ['user.registered', 'order.created'],
};

/** Declares a durable work queue, its dead-letter queue and its bindings; idempotent. */
export async function assertWorkQueue(
  channel: ConfirmChannel,
  queue: string,
  routingKeys: readonly EventType[],
): Promise<string> {
  const deadLetterArgs = await assertDeadLetterQueue(channel, queue);
  await channel.assertQueue(queue, { durable: true, arguments: deadLetterArgs });
  for (const key of routingKeys) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
  return queue;
}

/** The exchanges and every work queue in `WORK_QUEUES`: what a publisher declares. */
export async function assertTopology(channel: ConfirmChannel): Promise<void> {
  await assertExchanges(channel);
  for (const [queue, routingKeys] of Object.entries(WORK_QUEUES)) {
    await assertWorkQueue(channel, queue, routingKeys);
  }
}

/** Throws when a subscriber to a declared work queue handles other events than it declares. */
export function checkWorkQueueBindings(queue: string, routingKeys: readonly EventType[]): void {
  const declared = WORK_QUEUES[queue];
  if (!declared) return;
  const same =
    declared.length === routingKeys.length && declared.every((key) => routingKeys.includes(key));
  if (!same) {
    throw new Error(
      `${queue} handles ${[...routingKeys].sort().join(', ')} but WORK_QUEUES declares ` +
        `${[...declared].sort().join(', ')}: update WORK_QUEUES in @dja/messaging's topology.ts`,
    );
  }
}
