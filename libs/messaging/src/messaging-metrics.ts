import { Counter, Gauge, type Registry } from 'prom-client';
import type { BrokerConnection } from './broker';
import type { SqlClient } from './outbox';

/** What the broker code counts; a service registers the Prometheus version of it. */
export interface MessagingMetrics {
  deadLettered(queue: string, reason: 'malformed' | 'handler_failed'): void;
  handlerRetried(queue: string): void;
  /** Outbox rows the broker did not confirm; the relay publishes them again. */
  publishRetried(count: number): void;
}

export const NO_MESSAGING_METRICS: MessagingMetrics = {
  deadLettered: () => undefined,
  handlerRetried: () => undefined,
  publishRetried: () => undefined,
};

/** `messaging_dead_lettered_total`, `messaging_handler_retries_total`, `outbox_publish_retries_total`. */
export function createMessagingMetrics(registry: Registry): MessagingMetrics {
  const deadLettered = new Counter({
    name: 'messaging_dead_lettered_total',
    help: 'Messages sent to a dead-letter queue, by queue and reason (malformed, handler_failed).',
    labelNames: ['queue', 'reason'] as const,
    registers: [registry],
  });
  const retried = new Counter({
    name: 'messaging_handler_retries_total',
    help: 'Deliveries whose handler failed and that were queued again, by queue.',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const publishRetries = new Counter({
    name: 'outbox_publish_retries_total',
    help: 'Outbox events the broker did not confirm; each is published again at a later poll.',
    registers: [registry],
  });
  return {
    deadLettered: (queue, reason) => deadLettered.inc({ queue: queueLabel(queue), reason }),
    handlerRetried: (queue) => retried.inc({ queue: queueLabel(queue) }),
    publishRetried: (count) => publishRetries.inc(count),
  };
}

/** Broadcast queues carry a random suffix per replica; the label keeps only their service. */
function queueLabel(queue: string): string {
  return queue.replace(/\.broadcast\.[0-9a-f-]{36}$/, '.broadcast');
}

/** `messaging_broker_connected`: 1 while this process holds a connection to RabbitMQ. */
export function registerBrokerMetrics(registry: Registry, broker: BrokerConnection): void {
  new Gauge({
    name: 'messaging_broker_connected',
    help: '1 while this replica is connected to RabbitMQ, else 0.',
    registers: [registry],
    collect() {
      this.set(broker.isConnected() ? 1 : 0);
    },
  });
}

/**
 * `outbox_pending_events` and `outbox_oldest_pending_age_seconds`, read from the service's
 * outbox table at scrape time (the index on published_at, occurred_at answers it).
 */
export function registerOutboxMetrics(registry: Registry, db: SqlClient): void {
  let reading: Promise<{ pending: number; oldestAgeSeconds: number } | undefined> | undefined;
  // Both gauges are collected in one scrape: one query serves them. While the database is
  // away the gauges keep their last values rather than failing the whole scrape.
  const read = () =>
    (reading ??= db
      .$queryRawUnsafe<Array<{ pending: number; oldest_age_seconds: number | null }>>(
        `SELECT count(*)::int AS pending,
                extract(epoch FROM now() - min(occurred_at))::float8 AS oldest_age_seconds
         FROM outbox WHERE published_at IS NULL`,
      )
      .then(([row]) => ({
        pending: row?.pending ?? 0,
        oldestAgeSeconds: Math.max(0, row?.oldest_age_seconds ?? 0),
      }))
      .catch(() => undefined)
      .finally(() => setImmediate(() => (reading = undefined))));
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Events written to the outbox and not yet confirmed by the broker.',
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set(backlog.pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished outbox event; 0 when the outbox is empty.',
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set(backlog.oldestAgeSeconds);
    },
  });
}
