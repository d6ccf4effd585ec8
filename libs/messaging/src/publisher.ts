import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerConnection } from './broker';
import type { EventEnvelope } from './events';
import { assertExchanges, EVENTS_EXCHANGE } from './topology';

export interface EventPublisher {
  /** Resolves once the broker has confirmed the message; rejects after `timeoutMs`. */
  publish(event: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes events as persistent messages to the durable events exchange on a confirm channel:
 * a resolved `publish` means the broker has taken responsibility for the message.
 */
export function createEventPublisher(
  broker: BrokerConnection,
  { timeoutMs = 5000 }: { timeoutMs?: number } = {},
): EventPublisher {
  const channel: ChannelWrapper = broker.createChannel({
    name: 'events-publisher',
    confirm: true,
    publishTimeout: timeoutMs,
    setup: (ch: ConfirmChannel) => assertExchanges(ch),
  });
  return {
    async publish(event) {
      await channel.publish(EVENTS_EXCHANGE, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
        type: event.type,
        timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
        timeout: timeoutMs,
      });
    },
    close: () => channel.close(),
  };
}
