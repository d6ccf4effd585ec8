import type { Closeable } from '@dja/http';
import {
  type ResourceServerRuntime,
  type ResourceServiceDependencies,
  resourceServiceDependencies,
  startResourceServerRuntime,
} from '@dja/resource-server';
import type { ProfileConfig } from './config';
import { connectDatabase, type Database } from './database';

export const SERVICE_NAME = 'profile-service';

/** Everything the routes and event handlers use. */
export type Dependencies = ResourceServiceDependencies<ProfileConfig, Database>;

/** The outside world: auth-service's keys and revocations, the broker, logs, metrics, time. */
export function startRuntime(config: ProfileConfig): Promise<ResourceServerRuntime> {
  return startResourceServerRuntime(config, SERVICE_NAME);
}

export async function createDependencies(
  config: ProfileConfig,
  runtime: ResourceServerRuntime,
): Promise<Dependencies> {
  const db = connectDatabase(config.DATABASE_URL);
  return {
    ...resourceServiceDependencies(config, runtime, db),
    close: () => db.$disconnect(),
  };
}

/** What runs besides requests and events: nothing in this service. */
export function startBackgroundJobs(_deps: Dependencies): Closeable {
  return { close: async () => undefined };
}
