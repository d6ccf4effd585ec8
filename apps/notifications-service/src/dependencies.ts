import type { Logger, ReadinessCheck } from '@dja/http';
import type { ResourceServerRuntime } from '@dja/resource-server';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { NotificationsConfig } from './config';
import { connectDatabase, type Database } from './database';
import {
  createNotificationMetrics,
  type NotificationMetrics,
} from './notifications/notification-metrics';
import { createProfileClient, type ProfileClient } from './profiles/profile-client';

export const SERVICE_NAME = 'notifications-service';
/** The `aud` this service requires in access tokens. */
export const AUDIENCE = 'notifications';

/** Everything the routes and event handlers use, built once per process (or per test). */
export interface Dependencies {
  config: NotificationsConfig;
  clock: () => Date;
  logger: Logger;
  metrics: Registry;
  notificationMetrics: NotificationMetrics;
  db: Database;
  profiles: ProfileClient;
  /** Verifies the bearer token (audience `notifications`) and consults the revocation list. */
  requireAuth: RequestHandler;
  /** keys, broker, revocations from the runtime; the database is added by the app. */
  readiness: Record<string, ReadinessCheck>;
  isShuttingDown: () => boolean;
}

/** What the service takes from the shared resource-server runtime; tests build it from a test issuer. */
export type RuntimeParts = Pick<
  ResourceServerRuntime,
  'logger' | 'metrics' | 'requireAuth' | 'readiness' | 'serviceTokens'
>;

export interface DependencyOverrides {
  clock?: () => Date;
  isShuttingDown?: () => boolean;
}

export function createDependencies(
  config: NotificationsConfig,
  runtime: RuntimeParts,
  overrides: DependencyOverrides = {},
): Dependencies {
  return {
    config,
    clock: overrides.clock ?? (() => new Date()),
    logger: runtime.logger,
    metrics: runtime.metrics,
    notificationMetrics: createNotificationMetrics(runtime.metrics),
    db: connectDatabase(config.DATABASE_URL),
    profiles: createProfileClient({
      baseUrl: config.PROFILE_URL,
      tokens: runtime.serviceTokens,
      timeoutMs: config.PROFILE_TIMEOUT_MS,
    }),
    requireAuth: runtime.requireAuth,
    readiness: runtime.readiness,
    isShuttingDown: overrides.isShuttingDown ?? (() => false),
  };
}
