import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestIssuer, type TestIssuer } from '@dja/auth/testing';
import { loadConfig } from '@dja/config';
import type { Subscription } from '@dja/messaging';
import { startTestRuntime } from '@dja/resource-server/testing';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { configSchema, type NotificationsConfig } from '../../src/config';
import {
  createDependencies,
  type Dependencies,
  SERVICE_NAME,
  startBackgroundJobs,
} from '../../src/dependencies';
import { subscribeToEvents } from '../../src/events/subscriptions';
import { type ProfileServiceDouble, startProfileService } from './profile-service-double';
import {
  SERVICE_CLIENT,
  startTokenEndpoint,
  type TokenEndpointDouble,
} from './token-endpoint-double';

export const ISSUER = 'http://127.0.0.1:8080/auth';
const AUDIENCE = 'notifications';

/**
 * What surrounds the service in a test: a token issuer with real keys, auth-service's token
 * endpoint and profile-service played over real HTTP, and a fresh migrated database.
 */
export interface TestWorld {
  issuer: TestIssuer;
  auth: TokenEndpointDouble;
  profiles: ProfileServiceDouble;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestWorld(): Promise<TestWorld> {
  const issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
  const auth = await startTokenEndpoint(issuer);
  const profiles = await startProfileService(issuer);
  const database = await createMigratedTestDatabase(join(__dirname, '../../prisma/migrations'));
  return {
    issuer,
    auth,
    profiles,
    database,
    async close() {
      await profiles.close();
      await auth.close();
      await issuer.close();
      await database.drop();
    },
  };
}

/** A user access token for this service, as auth-service would issue it. */
export function userToken(world: TestWorld, userId: string, scope = 'notifications:read'): string {
  return world.issuer.mint({
    sub: userId,
    scope,
    aud: ['orders', 'profile', 'notifications', 'auth'],
  });
}

export interface TestReplica {
  app: Express;
  deps: Dependencies;
  config: NotificationsConfig;
  /** Everything the replica logged, one JSON line per entry. */
  logs: string[];
  /** Starts consuming events from `queue`, as main.ts does from the real queue. */
  consume(queue: string): Subscription;
  stop(): Promise<void>;
}

export interface TestReplicaOptions {
  replicaId?: string;
  env?: Record<string, string | undefined>;
  clock?: () => Date;
}

/**
 * One replica of the real service, in-process and wired as main.ts wires it: real PostgreSQL,
 * real RabbitMQ, real HTTP to the token endpoint and profile-service doubles. Only the outside
 * world is the test's: the keys come from the test issuer, the clock may be the test's.
 */
export async function startReplica(
  world: TestWorld,
  options: TestReplicaOptions = {},
): Promise<TestReplica> {
  const config = loadConfig(configSchema, {
    REPLICA_ID: options.replicaId ?? 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: world.database.url,
    AMQP_URL: testAmqpUrl(),
    AUTH_ISSUER: ISSUER,
    AUTH_URL: world.auth.url,
    CLIENT_ID: SERVICE_CLIENT.id,
    CLIENT_SECRET: SERVICE_CLIENT.secret,
    PROFILE_URL: world.profiles.url,
    PROFILE_TIMEOUT_MS: '2000',
    EVENT_MAX_ATTEMPTS: '5',
    EVENT_RETRY_DELAY_MS: '50',
    ...options.env,
  });
  const { stream, lines: logs } = captureLines();
  const runtime = await startTestRuntime(config, SERVICE_NAME, {
    issuer: world.issuer,
    clock: options.clock,
    logDestination: stream,
    reconnectSeconds: 0.2,
  });
  const deps = await createDependencies(config, runtime);
  const jobs = startBackgroundJobs(deps);
  const subscriptions: Subscription[] = [];
  return {
    app: createApp(deps),
    deps,
    config,
    logs,
    consume(queue) {
      const subscription = subscribeToEvents(runtime.broker, deps, queue);
      subscriptions.push(subscription);
      return subscription;
    },
    async stop() {
      await jobs.close();
      for (const subscription of subscriptions) await subscription.close();
      await deps.close();
      await runtime.close();
    },
  };
}

/** A queue name no other test uses, so tests sharing the broker never take each other's events. */
export const uniqueQueue = () => `notifications-service.test.${randomUUID()}`;

/** A fresh user id per call. */
export const newUserId = () => randomUUID();
