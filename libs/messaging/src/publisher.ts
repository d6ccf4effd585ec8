import { type Context, context } from '@opentelemetry/api';
import { inSpan, injectTraceContext, SpanKind } from '@dja/telemetry';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { BrokerConnection } from './broker';
import type { EventEnvelope } from './events';
import { messagingAttributes } from './span-attributes';
import { assertTopology, EVENTS_EXCHANGE } from './topology';

export interface PublishOptions {
  /**
   * The trace this publish belongs to; the active context by default. The outbox relay passes
   * the context stored with the row, so the publish joins the request that wrote the event.
   */
  parent?: Context;
}

export interface EventPublisher {
  /** Resolves once the broker has confirmed the message; rejects after `timeoutMs`. */
  publish(event: EventEnvelope, options?: PublishOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes events as persistent messages to the durable events exchange on a confirm channel:
 * a resolved `publish` means the broker has taken responsibility for the message.
 *
 * Each publish is a producer span whose W3C `traceparent`/`tracestate` go into the message
 * headers, so a consumer's span becomes its child. Injected here rather than by an amqplib
 * instrumentation: amqp-connection-manager may send the message later, from its own queue,
 * where the caller's context is gone.
 */
export function createEventPublisher(
  broker: BrokerConnection,
  { timeoutMs = 5000 }: { timeoutMs?: number } = {},
): EventPublisher {
  const channel: ChannelWrapper = broker.createChannel({
    name: 'events-publisher',
    confirm: true,
    publishTimeout: timeoutMs,
    // Work queues too: an event published before its consumer first starts waits for it.
    setup: (ch: ConfirmChannel) => assertTopology(ch),
  });
  return {
    publish(event, { parent = context.active() } = {}) {
      return inSpan(
        `publish ${event.type}`,
        { kind: SpanKind.PRODUCER, parent, attributes: messagingAttributes('send', event) },
        async () => {
          const headers: Record<string, unknown> = {};
          injectTraceContext(headers);
          await channel.publish(EVENTS_EXCHANGE, event.type, Buffer.from(JSON.stringify(event)), {
            persistent: true,
            contentType: 'application/json',
            messageId: event.id,
            type: event.type,
            timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
            timeout: timeoutMs,
            headers,
          });
        },
      );
    },
    close: () => channel.close(),
  };
}
