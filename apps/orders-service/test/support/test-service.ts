import { join } from 'node:path';
import type { InMemoryRevocationList } from '@dja/auth';
import { createTestIssuer, type TestIssuer } from '@dja/auth/testing';
import { loadConfig } from '@dja/config';
import type { Closeable } from '@dja/http';
import type { BrokerConnection } from '@dja/messaging';
import { startTestRuntime } from '@dja/resource-server/testing';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import { configSchema } from '../../src/config';
import {
  createDependencies,
  type Dependencies,
  SERVICE_NAME,
  startBackgroundJobs,
} from '../../src/dependencies';
import { subscribeToEvents } from '../../src/events/subscriptions';

export const AUDIENCE = 'orders';

export interface TestClock extends Clock {
  advance(milliseconds: number): void;
}

/** A clock that only moves when the test says so. */
export function testClock(start = new Date('2030-01-01T12:00:00.000Z')): TestClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as TestClock;
  clock.advance = (milliseconds) => {
    now += milliseconds;
  };
  return clock;
}

export interface TestService {
  app: Express;
  deps: Dependencies;
  clock: TestClock;
  issuer: TestIssuer;
  revocations: InMemoryRevocationList;
  broker: BrokerConnection;
  database: TestDatabase;
  /** Everything the service logged, one JSON line per entry. */
  logs: string[];
  /** A valid access token for `userId` with the given scopes. */
  tokenFor(userId: string, scopes?: string[]): string;
  stop(): Promise<void>;
}

/**
 * The real service, in-process and wired as main.ts wires it: a fresh PostgreSQL database with
 * the migrations, the test RabbitMQ, the outbox relay. Only the outside world is the test's: the
 * keys come from a test issuer's JWKS over real HTTP, and the clock moves when the test says.
 */
export async function startTestService(): Promise<TestService> {
  const database = await createMigratedTestDatabase(join(__dirname, '../../prisma/migrations'));
  const issuer = await createTestIssuer({ audience: AUDIENCE });
  const config = loadConfig(configSchema, {
    REPLICA_ID: 'test',
    DATABASE_URL: database.url,
    AMQP_URL: testAmqpUrl(),
    AUTH_ISSUER: issuer.issuer,
    // Never called: orders makes no calls of its own to auth-service.
    AUTH_URL: 'http://127.0.0.1:9',
    CLIENT_ID: SERVICE_NAME,
    CLIENT_SECRET: 'orders-secret-0123456789-abcdefghijklmn',
    AUDIENCE,
  });
  const { stream, lines: logs } = captureLines();
  const clock = testClock();
  const runtime = await startTestRuntime(config, SERVICE_NAME, {
    issuer,
    clock,
    logDestination: stream,
  });
  const deps = await createDependencies(config, runtime);
  const running: Closeable[] = [
    startBackgroundJobs(deps),
    subscribeToEvents(runtime.broker, deps),
    deps,
    runtime,
  ];
  return {
    app: createApp(deps),
    deps,
    clock,
    issuer,
    revocations: runtime.revocations,
    broker: runtime.broker,
    database,
    logs,
    tokenFor: (userId, scopes = ['orders:read', 'orders:write']) =>
      issuer.mint({ sub: userId, scope: scopes.join(' ') }),
    async stop() {
      for (const part of running) await part.close();
      await issuer.close();
      await database.drop();
    },
  };
}
