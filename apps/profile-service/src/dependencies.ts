import type { Logger, ReadinessCheck } from '@dja/http';
import { startResourceServerRuntime } from '@dja/resource-server';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { ProfileConfig } from './config';
import { connectDatabase, type Database } from './database';
import { subscribeToEvents } from './events/subscriptions';

export const SERVICE_NAME = 'profile-service';
/** The `aud` a token must carry to be accepted here. */
export const AUDIENCE = 'profile';

/** Everything the routes use. Tests build it themselves from a test issuer and test servers. */
export interface Dependencies {
  replicaId: string;
  clock: () => Date;
  logger: Logger;
  metrics: Registry;
  db: Database;
  /** Verifies the bearer token (audience `profile`) and consults the revocation list. */
  requireAuth: RequestHandler;
  /** Checks besides the database: keys, broker, revocations. */
  readiness: Record<string, ReadinessCheck>;
  isShuttingDown: () => boolean;
}

export interface ProfileService {
  deps: Dependencies;
  /** Stops consuming events, then closes the broker connection and the database pool. */
  close(): Promise<void>;
}

/** Connects everything the service needs and starts consuming its events. */
export async function startProfileService(
  config: ProfileConfig,
  { isShuttingDown }: { isShuttingDown: () => boolean },
): Promise<ProfileService> {
  const runtime = await startResourceServerRuntime(config, {
    service: SERVICE_NAME,
    audience: AUDIENCE,
  });
  const db = connectDatabase(config.DATABASE_URL);
  const clock = () => new Date();
  const subscription = subscribeToEvents({
    broker: runtime.broker,
    db,
    clock,
    logger: runtime.logger,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
  });
  return {
    deps: {
      replicaId: config.REPLICA_ID,
      clock,
      logger: runtime.logger,
      metrics: runtime.metrics,
      db,
      requireAuth: runtime.requireAuth,
      readiness: runtime.readiness,
      isShuttingDown,
    },
    async close() {
      await subscription.close();
      await runtime.close();
      await db.$disconnect();
    },
  };
}
