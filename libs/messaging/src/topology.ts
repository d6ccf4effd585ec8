import type { ConfirmChannel } from 'amqplib';

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
