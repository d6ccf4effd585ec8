import { join } from 'node:path';
import { type InMemoryRevocationList, requireAuth } from '@dja/auth';
import { createTestIssuer, createTestVerifier, type TestIssuer } from '@dja/auth/testing';
import { createLogger, createMetricsRegistry } from '@dja/http';
import {
  type BrokerConnection,
  connectBroker,
  createEventPublisher,
  OutboxRelay,
} from '@dja/messaging';
import {
  captureLines,
  createMigratedTestDatabase,
  testAmqpUrl,
  type TestDatabase,
} from '@dja/test-infra';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import { connectDatabase } from '../../src/database';
import { type Dependencies, SERVICE_NAME } from '../../src/dependencies';

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
 * The real service, in-process: a fresh PostgreSQL database with the migrations, real RSA keys
 * behind a real JWKS endpoint on 127.0.0.1, a real RabbitMQ connection and outbox relay. Only
 * the clock is the test's.
 */
export async function startTestService(): Promise<TestService> {
  const database = await createMigratedTestDatabase(join(__dirname, '../../prisma/migrations'));
  const issuer = await createTestIssuer({ audience: AUDIENCE });
  const { verifier, revocations } = await createTestVerifier(issuer, { audience: AUDIENCE });
  const { stream, lines: logs } = captureLines();
  const logger = createLogger({
    service: SERVICE_NAME,
    replicaId: 'test',
    level: 'info',
    destination: stream,
  });
  const broker = connectBroker(testAmqpUrl(), { logger, name: 'orders-service-test' });
  const publisher = createEventPublisher(broker);
  const db = connectDatabase(database.url);
  const relay = new OutboxRelay({ db, publisher, broker, logger });
  const clock = testClock();
  const deps: Dependencies = {
    replicaId: 'test',
    clock,
    logger,
    metrics: createMetricsRegistry(SERVICE_NAME),
    db,
    requireAuth: requireAuth(verifier, { revocations, realm: SERVICE_NAME }),
    relay,
    readiness: { keys: () => verifier.isReady(), broker: () => broker.isConnected() },
    isShuttingDown: () => false,
  };
  return {
    app: createApp(deps),
    deps,
    clock,
    issuer,
    revocations,
    broker,
    database,
    logs,
    tokenFor: (userId, scopes = ['orders:read', 'orders:write']) =>
      issuer.mint({ sub: userId, scope: scopes.join(' ') }),
    async stop() {
      await relay.stop();
      await publisher.close();
      await broker.close();
      await db.$disconnect();
      await issuer.close();
      await database.drop();
    },
  };
}
