import type { Logger, ReadinessCheck } from '@dja/http';
import { createEventPublisher, OutboxRelay } from '@dja/messaging';
import { startResourceServerRuntime } from '@dja/resource-server';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { type Clock, systemClock } from './clock';
import type { OrdersConfig } from './config';
import { connectDatabase, type Database } from './database';

export const SERVICE_NAME = 'orders-service';

/** Everything the routes use. main.ts builds it from the configuration; tests build their own. */
export interface Dependencies {
  replicaId: string;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  db: Database;
  /** Verifies the bearer token (audience `orders`) and consults the revocation list. */
  requireAuth: RequestHandler;
  /** Publishes outbox rows; flushed right after each commit that wrote one. */
  relay: OutboxRelay;
  /** Keys, broker, revocations: checked by /readyz next to the database. */
  readiness: Record<string, ReadinessCheck>;
  isShuttingDown: () => boolean;
}

export interface RunningDependencies extends Dependencies {
  /** Stops the relay, then closes the broker and the database pool. */
  close(): Promise<void>;
}

/** Connects to the auth service (JWKS, revocations), the broker and the database. */
export async function createDependencies(
  config: OrdersConfig,
  { isShuttingDown }: { isShuttingDown: () => boolean },
): Promise<RunningDependencies> {
  const runtime = await startResourceServerRuntime(config, {
    service: SERVICE_NAME,
    audience: config.AUDIENCE,
  });
  const db = connectDatabase(config.DATABASE_URL);
  const publisher = createEventPublisher(runtime.broker);
  const relay = new OutboxRelay({
    db,
    publisher,
    broker: runtime.broker,
    logger: runtime.logger,
    intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
  });
  return {
    replicaId: config.REPLICA_ID,
    clock: systemClock,
    logger: runtime.logger,
    metrics: runtime.metrics,
    db,
    requireAuth: runtime.requireAuth,
    relay,
    readiness: runtime.readiness,
    isShuttingDown,
    async close() {
      await relay.stop();
      await publisher.close();
      await runtime.close();
      await db.$disconnect();
    },
  };
}
