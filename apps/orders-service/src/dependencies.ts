import { type Closeable, startPeriodicTask } from '@dja/http';
import { createEventRelay, type EventRelay } from '@dja/messaging';
import {
  type ResourceServerRuntime,
  type ResourceServiceDependencies,
  resourceServiceDependencies,
  startResourceServerRuntime,
} from '@dja/resource-server';
import type { OrdersConfig } from './config';
import { connectDatabase, type Database } from './database';
import { forgetExpiredIdempotencyKeys } from './orders/idempotency-key-retention';

export const SERVICE_NAME = 'orders-service';

/** Everything the routes use. */
export interface Dependencies extends ResourceServiceDependencies<OrdersConfig, Database> {
  /** Publishes outbox rows; flushed right after each commit that wrote one. */
  events: EventRelay;
}

/** The outside world: auth-service's keys and revocations, the broker, logs, metrics, time. */
export function startRuntime(config: OrdersConfig): Promise<ResourceServerRuntime> {
  return startResourceServerRuntime(config, SERVICE_NAME);
}

export async function createDependencies(
  config: OrdersConfig,
  runtime: ResourceServerRuntime,
): Promise<Dependencies> {
  const db = connectDatabase(config.DATABASE_URL);
  return {
    ...resourceServiceDependencies(config, runtime, db),
    events: createEventRelay({
      db,
      broker: runtime.broker,
      logger: runtime.logger,
      intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
      registry: runtime.metrics,
      metrics: runtime.messagingMetrics,
    }),
    close: () => db.$disconnect(),
  };
}

/** What runs besides the requests: the outbox relay's polling, the expiry of idempotency keys. */
export function startBackgroundJobs(deps: Dependencies): Closeable {
  const { config, db, clock, logger } = deps;
  deps.events.start();
  const idempotencyRetention = startPeriodicTask({
    name: 'forget expired idempotency keys',
    intervalSeconds: config.IDEMPOTENCY_PURGE_INTERVAL,
    run: () => forgetExpiredIdempotencyKeys(db, clock(), config.IDEMPOTENCY_KEY_TTL),
    logger,
  });
  return {
    async close() {
      await idempotencyRetention.close();
      await deps.events.stop();
    },
  };
}
