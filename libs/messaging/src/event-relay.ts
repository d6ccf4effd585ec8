import type { Registry } from 'prom-client';
import type { BrokerConnection, BrokerLogger } from './broker';
import { type MessagingMetrics, registerOutboxMetrics } from './messaging-metrics';
import { OutboxRelay, type TransactionalClient } from './outbox';
import { createEventPublisher } from './publisher';

/** A service's outbox, published to the broker: the one way services wire the relay. */
export interface EventRelay {
  /** Starts polling for rows written by other replicas or left over from an outage. */
  start(): void;
  /** Stops polling and closes the publishing channel (the broker is the runtime's to close). */
  stop(): Promise<void>;
  /**
   * Publishes what the last transaction wrote, waiting at most `waitMs`. A logout answers only
   * after its `session.revoked` is on the broker (when the broker is up), so a client that sees
   * the 2xx can count on every replica refusing the token within milliseconds. It never fails:
   * if the broker is away the event stays in the outbox and goes out when it returns.
   */
  flush(waitMs?: number): Promise<void>;
}

export interface EventRelayOptions {
  db: TransactionalClient;
  /** Without a broker (auth-service with no AMQP_URL) events wait in the outbox. */
  broker: BrokerConnection | undefined;
  logger: BrokerLogger;
  /** How often the relay looks for unpublished rows, milliseconds. */
  intervalMs?: number;
  /** Where the outbox backlog gauges go (`outbox_*`, docs/observability.md). */
  registry?: Registry;
  /** Publish retries, counted with the service's other messaging metrics. */
  metrics?: MessagingMetrics;
}

/** Publishes a service's outbox to RabbitMQ with publisher confirms. */
export function createEventRelay({
  db,
  broker,
  logger,
  intervalMs,
  registry,
  metrics,
}: EventRelayOptions): EventRelay {
  if (registry) registerOutboxMetrics(registry, db);
  if (!broker) {
    return {
      start: () => logger.warn({}, 'no broker configured: events stay in the outbox'),
      stop: async () => undefined,
      flush: async () => undefined,
    };
  }
  const publisher = createEventPublisher(broker);
  const relay = new OutboxRelay({ db, publisher, broker, logger, intervalMs, metrics });
  return {
    start: () => relay.start(),
    async stop() {
      await relay.stop();
      await publisher.close();
    },
    async flush(waitMs = 500) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([
        relay
          .flush()
          .catch((error: Error) => logger.warn({ err: error.message }, 'outbox flush failed')),
        timeout,
      ]);
      clearTimeout(timer);
    },
  };
}
