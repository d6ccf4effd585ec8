import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type InMemoryRevocationList, requireAuth } from '@dja/auth';
import { createTestIssuer, createTestVerifier, type TestIssuer } from '@dja/auth/testing';
import { createLogger, createMetricsRegistry, listen } from '@dja/http';
import { type BrokerConnection, connectBroker, type Subscription } from '@dja/messaging';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
  waitFor,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { connectDatabase } from '../../src/database';
import { AUDIENCE, type Dependencies, SERVICE_NAME } from '../../src/dependencies';
import { subscribeToEvents } from '../../src/events/subscriptions';

const MIGRATIONS_DIR = join(__dirname, '../../prisma/migrations');
const TOKEN_TTL = 300;

export const SERVICE_CLIENT_ID = 'notifications-service';

export interface TestService {
  app: Express;
  /** http://127.0.0.1:PORT of the running server. */
  url: string;
  deps: Dependencies;
  issuer: TestIssuer;
  revocations: InMemoryRevocationList;
  database: TestDatabase;
  broker: BrokerConnection;
  /** Set when the service consumes events (`consumeFrom`). */
  subscription: Subscription | undefined;
  /** Everything the service logged, one JSON line per entry. */
  logs: string[];
  /** A user's access token as auth-service issues it: `sid`, `roles: [user]`, `email`, `profile:me`. */
  userToken(user: TestUser, claims?: Record<string, unknown>): string;
  /** A client_credentials token as auth-service issues it: `sub` = `client_id`, no `sid`. */
  serviceToken(scope: string, claims?: Record<string, unknown>): string;
  stop(): Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
}

let users = 0;

/** A fresh user id and a unique address. */
export function newUser(label = 'user'): TestUser {
  return { id: randomUUID(), email: `${label}-${++users}@example.com` };
}

export interface TestServiceOptions {
  /** Consume `user.registered` from this competing queue; no consumer when absent. */
  consumeFrom?: string;
  maxAttempts?: number;
}

/**
 * The real service, in-process: a fresh PostgreSQL database with the migrations applied, the
 * test RabbitMQ, real RSA keys published over real HTTP by a test issuer, HTTP on 127.0.0.1.
 */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const issuer = await createTestIssuer({ audience: AUDIENCE, tokenLifetimeSeconds: TOKEN_TTL });
  const { verifier, revocations } = await createTestVerifier(issuer, {
    audience: AUDIENCE,
    maxLifetimeSeconds: TOKEN_TTL,
  });
  const database = await createMigratedTestDatabase(MIGRATIONS_DIR);
  const db = connectDatabase(database.url);
  const { stream, lines: logs } = captureLines();
  const logger = createLogger({
    service: SERVICE_NAME,
    replicaId: 'test',
    level: 'info',
    destination: stream,
  });
  const broker = connectBroker(testAmqpUrl(), { logger, name: 'profile-service-test' });
  await waitFor(() => broker.isConnected(), { timeoutMs: 10_000, description: 'RabbitMQ' });
  const clock = () => new Date();
  const subscription =
    options.consumeFrom === undefined
      ? undefined
      : subscribeToEvents(
          { broker, db, clock, logger, maxAttempts: options.maxAttempts ?? 2 },
          options.consumeFrom,
        );
  if (subscription) {
    await waitFor(() => subscription.queue() !== undefined, {
      timeoutMs: 10_000,
      description: 'the user.registered queue to be consumed',
    });
  }
  const deps: Dependencies = {
    replicaId: 'test',
    clock,
    logger,
    metrics: createMetricsRegistry(SERVICE_NAME),
    db,
    requireAuth: requireAuth(verifier, { revocations, realm: SERVICE_NAME }),
    readiness: {
      keys: () => verifier.isReady(),
      broker: () => broker.isConnected(),
      revocations: () => true,
    },
    isShuttingDown: () => false,
  };
  const app = createApp(deps);
  const running = await listen(app, 0, '127.0.0.1');

  return {
    app,
    url: running.url,
    deps,
    issuer,
    revocations,
    database,
    broker,
    subscription,
    logs,
    userToken: (user, claims = {}) =>
      issuer.mint({
        sub: user.id,
        sid: randomUUID(),
        roles: ['user'],
        email: user.email,
        scope: 'profile:me orders:read',
        client_id: undefined,
        ...claims,
      }),
    serviceToken: (scope, claims = {}) =>
      issuer.mint({
        sub: SERVICE_CLIENT_ID,
        client_id: SERVICE_CLIENT_ID,
        sid: undefined,
        scope,
        ...claims,
      }),
    async stop() {
      await running.close();
      await subscription?.close();
      await broker.close();
      await db.$disconnect();
      await issuer.close();
      await database.drop();
    },
  };
}
