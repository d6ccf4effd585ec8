import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { requireAuth } from '@dja/auth';
import { createTestIssuer, createTestVerifier, type TestIssuer } from '@dja/auth/testing';
import { createLogger, createMetricsRegistry } from '@dja/http';
import { type BrokerConnection, connectBroker, type Subscription } from '@dja/messaging';
import { createServiceTokenClient } from '@dja/resource-server';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadNotificationsConfig, type NotificationsConfig } from '../../src/config';
import {
  AUDIENCE,
  createDependencies,
  type Dependencies,
  SERVICE_NAME,
} from '../../src/dependencies';
import { subscribeToEvents } from '../../src/events/event-subscriptions';
import { type ProfileServiceDouble, startProfileService } from './profile-service-double';
import {
  SERVICE_CLIENT,
  startTokenEndpoint,
  type TokenEndpointDouble,
} from './token-endpoint-double';

export const ISSUER = 'http://127.0.0.1:8080/auth';

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
 * One replica of the real service, in-process: real PostgreSQL, real RabbitMQ, real HTTP to the
 * token endpoint and profile-service doubles. Only what startResourceServerRuntime would fetch
 * from auth-service (JWKS, revocations) is pointed at the test issuer instead.
 */
export async function startReplica(
  world: TestWorld,
  options: TestReplicaOptions = {},
): Promise<TestReplica> {
  const config = loadNotificationsConfig({
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
  const logger = createLogger({
    service: SERVICE_NAME,
    replicaId: config.REPLICA_ID,
    level: 'info',
    destination: stream,
  });
  const { verifier, revocations } = await createTestVerifier(world.issuer, {
    audience: AUDIENCE,
    maxLifetimeSeconds: config.ACCESS_TOKEN_TTL,
  });
  const deps = createDependencies(
    config,
    {
      logger,
      metrics: createMetricsRegistry(SERVICE_NAME),
      requireAuth: requireAuth(verifier, { revocations, realm: SERVICE_NAME }),
      readiness: { keys: () => verifier.isReady() },
      serviceTokens: createServiceTokenClient({
        tokenUrl: world.auth.tokenUrl,
        clientId: config.CLIENT_ID,
        clientSecret: config.CLIENT_SECRET,
      }),
    },
    { clock: options.clock },
  );
  let broker: BrokerConnection | undefined;
  const subscriptions: Subscription[] = [];
  return {
    app: createApp(deps),
    deps,
    config,
    logs,
    consume(queue) {
      broker ??= connectBroker(config.AMQP_URL, {
        logger,
        name: `${SERVICE_NAME}-${config.REPLICA_ID}`,
        reconnectSeconds: 0.2,
      });
      const subscription = subscribeToEvents(broker, deps, {
        queue,
        maxAttempts: config.EVENT_MAX_ATTEMPTS,
        retryDelayMs: config.EVENT_RETRY_DELAY_MS,
      });
      subscriptions.push(subscription);
      return subscription;
    },
    async stop() {
      for (const subscription of subscriptions) await subscription.close();
      await broker?.close();
      await deps.db.$disconnect();
    },
  };
}

/** A queue name no other test uses, so tests sharing the broker never take each other's events. */
export const uniqueQueue = () => `notifications-service.test.${randomUUID()}`;

/** A fresh user id per call. */
export const newUserId = () => randomUUID();
