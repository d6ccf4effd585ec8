import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { InMemoryRevocationList } from '@dja/auth';
import { createTestIssuer, type TestIssuer } from '@dja/auth/testing';
import { loadConfig } from '@dja/config';
import { listen } from '@dja/http';
import type { BrokerConnection, Subscription } from '@dja/messaging';
import { startTestRuntime } from '@dja/resource-server/testing';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
  waitFor,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { configSchema } from '../../src/config';
import {
  createDependencies,
  type Dependencies,
  SERVICE_NAME,
  startBackgroundJobs,
} from '../../src/dependencies';
import { subscribeToEvents } from '../../src/events/subscriptions';

const MIGRATIONS_DIR = join(__dirname, '../../prisma/migrations');
const TOKEN_TTL = 300;
const AUDIENCE = 'profile';

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
  /** A user's access token as auth-service issues it: `sid`, `roles: [user]`, `client_id`, `profile:me`. */
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
 * The real service, in-process and wired as main.ts wires it: a fresh PostgreSQL database with
 * the migrations applied, the test RabbitMQ, HTTP on 127.0.0.1. Only the outside world is the
 * test's: the keys come from a test issuer's JWKS over real HTTP, the revocation list is fed by
 * the test.
 */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const issuer = await createTestIssuer({ audience: AUDIENCE, tokenLifetimeSeconds: TOKEN_TTL });
  const database = await createMigratedTestDatabase(MIGRATIONS_DIR);
  const config = loadConfig(configSchema, {
    REPLICA_ID: 'test',
    DATABASE_URL: database.url,
    AMQP_URL: testAmqpUrl(),
    AUTH_ISSUER: issuer.issuer,
    // Never called: profile makes no calls of its own to auth-service.
    AUTH_URL: 'http://127.0.0.1:9',
    CLIENT_ID: SERVICE_NAME,
    CLIENT_SECRET: 'profile-secret-0123456789-abcdefghijklmn',
    AUDIENCE,
    ACCESS_TOKEN_TTL: String(TOKEN_TTL),
    EVENT_MAX_ATTEMPTS: String(options.maxAttempts ?? 2),
  });
  const { stream, lines: logs } = captureLines();
  const runtime = await startTestRuntime(config, SERVICE_NAME, { issuer, logDestination: stream });
  const { broker } = runtime;
  await waitFor(() => broker.isConnected(), { timeoutMs: 10_000, description: 'RabbitMQ' });
  const deps = await createDependencies(config, runtime);
  const jobs = startBackgroundJobs(deps);
  const subscription =
    options.consumeFrom === undefined
      ? undefined
      : subscribeToEvents(broker, deps, options.consumeFrom);
  if (subscription) {
    await waitFor(() => subscription.queue() !== undefined, {
      timeoutMs: 10_000,
      description: 'the user.registered queue to be consumed',
    });
  }
  const app = createApp(deps);
  const running = await listen(app, 0, '127.0.0.1');

  return {
    app,
    url: running.url,
    deps,
    issuer,
    revocations: runtime.revocations,
    database,
    broker,
    subscription,
    logs,
    userToken: (user, claims = {}) =>
      issuer.mint({
        sub: user.id,
        sid: randomUUID(),
        roles: ['user'],
        scope: 'profile:me orders:read',
        client_id: 'first-party',
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
      await jobs.close();
      await subscription?.close();
      await deps.close();
      await runtime.close();
      await issuer.close();
      await database.drop();
    },
  };
}
