import type { Closeable } from '@dja/http';
import { createEventRelay, type EventRelay } from '@dja/messaging';
import {
  type ResourceServerRuntime,
  type ResourceServiceDependencies,
  resourceServiceDependencies,
  startResourceServerRuntime,
} from '@dja/resource-server';
import type { OrdersConfig } from './config';
import { connectDatabase, type Database } from './database';

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
    }),
    close: () => db.$disconnect(),
  };
}

/** What runs besides the requests: the outbox relay's polling. */
export function startBackgroundJobs(deps: Dependencies): Closeable {
  deps.events.start();
  return { close: () => deps.events.stop() };
}
