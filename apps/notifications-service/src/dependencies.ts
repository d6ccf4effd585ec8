import type { Closeable } from '@dja/http';
import {
  type ResourceServerRuntime,
  type ResourceServiceDependencies,
  resourceServiceDependencies,
  startResourceServerRuntime,
} from '@dja/resource-server';
import type { NotificationsConfig } from './config';
import { connectDatabase, type Database } from './database';
import {
  createNotificationMetrics,
  type NotificationMetrics,
} from './notifications/notification-metrics';
import { createProfileClient, type ProfileClient } from './profiles/profile-client';

export const SERVICE_NAME = 'notifications-service';

/** Everything the routes and event handlers use. */
export interface Dependencies extends ResourceServiceDependencies<NotificationsConfig, Database> {
  notificationMetrics: NotificationMetrics;
  profiles: ProfileClient;
}

/** The outside world: auth-service's keys and revocations, the broker, logs, metrics, time. */
export function startRuntime(config: NotificationsConfig): Promise<ResourceServerRuntime> {
  return startResourceServerRuntime(config, SERVICE_NAME);
}

export async function createDependencies(
  config: NotificationsConfig,
  runtime: ResourceServerRuntime,
): Promise<Dependencies> {
  const db = connectDatabase(config.DATABASE_URL);
  return {
    ...resourceServiceDependencies(config, runtime, db),
    notificationMetrics: createNotificationMetrics(runtime.metrics),
    profiles: createProfileClient({
      baseUrl: config.PROFILE_URL,
      tokens: runtime.serviceTokens,
      timeoutMs: config.PROFILE_TIMEOUT_MS,
    }),
    close: () => db.$disconnect(),
  };
}

/** What runs besides requests and events: nothing in this service. */
export function startBackgroundJobs(_deps: Dependencies): Closeable {
  return { close: async () => undefined };
}
