import { randomUUID } from 'node:crypto';
import { extractTraceContext, inSpan, markFailed, type Span, SpanKind } from '@dja/telemetry';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { BrokerConnection, BrokerLogger } from './broker';
import {
  type DomainEvent,
  type EventEnvelope,
  type EventType,
  MalformedEventError,
  parseEvent,
} from './events';
import { type MessagingMetrics, NO_MESSAGING_METRICS } from './messaging-metrics';
import { RecentEventIds } from './recent-event-ids';
import { messagingAttributes } from './span-attributes';
import {
  assertDeadLetterQueue,
  assertExchanges,
  assertWorkQueue,
  checkWorkQueueBindings,
  EVENTS_EXCHANGE,
} from './topology';

/**
 * How the replicas of a service share a stream of events.
 * - `competing`: one durable queue that every replica consumes from; each event is handled by
 *   exactly one replica (work such as sending a notification).
 * - `broadcast`: each replica binds its own exclusive queue; every replica sees every event
 *   (state each replica keeps in memory, such as its revocation list).
 */
export type Delivery =
  { kind: 'competing'; queue: string } | { kind: 'broadcast'; service: string };

export type EventHandlers = Partial<{
  [T in EventType]: (event: EventEnvelope<T>) => Promise<void> | void;
}>;

export interface SubscribeOptions {
  delivery: Delivery;
  handlers: EventHandlers;
  logger: BrokerLogger;
  /** Tries before a failing message goes to the dead-letter queue. */
  maxAttempts?: number;
  prefetch?: number;
  /** Delay before retry n is `retryDelayMs * 2^(n-1)`. */
  retryDelayMs?: number;
  /**
   * Runs on every (re)connect after the queue is bound and before messages are consumed: the
   * place to load a snapshot of what may have been missed while no queue existed.
   */
  beforeConsume?: () => Promise<void>;
  /** Counts retries and dead letters; nothing by default. */
  metrics?: MessagingMetrics;
}

export interface Subscription {
  queue(): string | undefined;
  close(): Promise<void>;
}

const ATTEMPT_HEADER = 'x-attempt';

export function subscribe(broker: BrokerConnection, options: SubscribeOptions): Subscription {
  const {
    delivery,
    handlers,
    logger,
    maxAttempts = 5,
    prefetch = 20,
    retryDelayMs = 100,
    metrics = NO_MESSAGING_METRICS,
  } = options;
  const routingKeys = Object.keys(handlers) as EventType[];
  if (delivery.kind === 'competing') checkWorkQueueBindings(delivery.queue, routingKeys);
  const recent = new RecentEventIds(10_000);
  let currentQueue: string | undefined;

  /**
   * Runs the handler in a consumer span whose parent is the producer's span (from the message's
   * `traceparent`). Retries are copies carrying the same headers, so every attempt, and a
   * dead-lettered message, still points at the trace that published it.
   */
  async function handle(channel: ConfirmChannel, queue: string, message: ConsumeMessage) {
    const attempt = Number(message.properties.headers?.[ATTEMPT_HEADER] ?? 1);
    // Retries are sent to the queue directly, so the routing key no longer names the event.
    const type = String(message.properties.type ?? message.fields.routingKey);
    const retryAfter = await inSpan(
      `process ${type}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(message.properties.headers),
        attributes: {
          ...messagingAttributes('process', {
            id: String(message.properties.messageId ?? ''),
            type,
          }),
          'messaging.destination.subscription.name': queue,
          'messaging.rabbitmq.attempt': attempt,
        },
      },
      (span) => deliver(channel, queue, message, attempt, span),
    );
    if (retryAfter === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, retryAfter));
    await retry(channel, queue, message, attempt + 1);
  }

  /** Handles one delivery; returns the delay before a retry, or undefined when it is settled. */
  async function deliver(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    attempt: number,
    span: Span,
  ): Promise<number | undefined> {
    let event: DomainEvent;
    try {
      event = parseEvent(message.content);
    } catch (error) {
      // Retrying cannot fix a malformed message: straight to the dead-letter queue.
      markFailed(span, error);
      logger.error(
        { err: (error as MalformedEventError).message, queue },
        'malformed event dead-lettered',
      );
      metrics.deadLettered(queue, 'malformed');
      settle(() => channel.nack(message, false, false));
      return undefined;
    }
    if (recent.has(event.id)) {
      span.setAttribute('messaging.duplicate', true);
      settle(() => channel.ack(message));
      return undefined;
    }
    const handler = handlers[event.type] as ((e: typeof event) => Promise<void> | void) | undefined;
    try {
      await handler?.(event);
      recent.add(event.id);
      settle(() => channel.ack(message));
      return undefined;
    } catch (error) {
      markFailed(span, error);
      const context = {
        err: (error as Error).message,
        eventId: event.id,
        type: event.type,
        attempt,
      };
      if (attempt >= maxAttempts) {
        logger.error(context, 'event handler kept failing; dead-lettered');
        metrics.deadLettered(queue, 'handler_failed');
        settle(() => channel.nack(message, false, false));
        return undefined;
      }
      logger.warn(context, 'event handler failed; will retry');
      metrics.handlerRetried(queue);
      return retryDelayMs * 2 ** (attempt - 1);
    }
  }

  /** Re-enqueues a copy with the attempt count, then acks the original; a crash in between
   * yields a duplicate, which idempotent handlers absorb, never a loss. */
  async function retry(
    channel: ConfirmChannel,
    queue: string,
    message: ConsumeMessage,
    attempt: number,
  ) {
    try {
      await new Promise<void>((resolve, reject) =>
        channel.sendToQueue(
          queue,
          message.content,
          {
            ...message.properties,
            headers: { ...message.properties.headers, [ATTEMPT_HEADER]: attempt },
          },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
      channel.ack(message);
    } catch {
      // The channel went away: the unacked original is redelivered after reconnecting.
    }
  }

  const channel = broker.createChannel({
    name: `subscriber:${delivery.kind === 'competing' ? delivery.queue : delivery.service}`,
    confirm: true,
    setup: async (ch: ConfirmChannel) => {
      await assertExchanges(ch);
      const queue =
        delivery.kind === 'competing'
          ? await assertWorkQueue(ch, delivery.queue, routingKeys)
          : await assertBroadcastQueue(ch, delivery.service, routingKeys);
      await options.beforeConsume?.();
      await ch.prefetch(prefetch);
      await ch.consume(queue, (message) => {
        if (message) void handle(ch, queue, message);
      });
      currentQueue = queue;
    },
  });

  return {
    queue: () => currentQueue,
    close: () => channel.close(),
  };
}

/**
 * Declares a replica's own queue, named afresh on every connect: exclusive, gone with its
 * connection; its dead letters are kept per service. Returns its name.
 */
async function assertBroadcastQueue(
  channel: ConfirmChannel,
  service: string,
  routingKeys: readonly EventType[],
): Promise<string> {
  const queue = `${service}.broadcast.${randomUUID()}`;
  const deadLetterArgs = await assertDeadLetterQueue(channel, queue, `${service}.broadcast`);
  await channel.assertQueue(queue, {
    durable: false,
    exclusive: true,
    autoDelete: true,
    arguments: deadLetterArgs,
  });
  for (const key of routingKeys) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
  return queue;
}

/** Acking on a channel that just closed throws; the broker redelivers such a message anyway. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // ignored on purpose: see above
  }
}
