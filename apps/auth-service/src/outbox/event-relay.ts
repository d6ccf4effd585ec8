import type { Logger } from '@dja/http';
import { connectBroker, createEventPublisher, OutboxRelay } from '@dja/messaging';
import type { Database } from '../database';

export interface EventRelay {
  start(): void;
  stop(): Promise<void>;
  /**
   * Publishes what the last transaction wrote, waiting at most `waitMs`. A logout answers only
   * after its `session.revoked` is on the broker (when the broker is up), so a client that sees
   * the 2xx can count on every replica refusing the token within milliseconds. It never fails:
   * if the broker is away the event stays in the outbox and goes out when it returns.
   */
  flush(waitMs?: number): Promise<void>;
}

/** Publishes the outbox to RabbitMQ; without AMQP_URL events wait in the outbox. */
export function createEventRelay(
  db: Database,
  amqpUrl: string | undefined,
  logger: Logger,
  name: string,
): EventRelay {
  if (!amqpUrl) {
    return {
      start: () => logger.warn('AMQP_URL is not set: events stay in the outbox'),
      stop: async () => undefined,
      flush: async () => undefined,
    };
  }
  const broker = connectBroker(amqpUrl, { logger, name });
  const publisher = createEventPublisher(broker);
  const relay = new OutboxRelay({ db, publisher, broker, logger });
  return {
    start: () => relay.start(),
    async stop() {
      await relay.stop();
      await publisher.close();
      await broker.close();
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
