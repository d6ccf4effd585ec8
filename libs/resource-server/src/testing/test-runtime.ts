import { createAccessTokenVerifier, InMemoryRevocationList, requireAuth } from '@dja/auth';
import type { TestIssuer } from '@dja/auth/testing';
import { type Clock, createLogger, createMetricsRegistry, shutdownSwitch } from '@dja/http';
import { connectBroker, createMessagingMetrics } from '@dja/messaging';
import type { Writable } from 'node:stream';
import { registerAuthMetrics } from '../auth-metrics';
import type { ResourceServerConfig } from '../config';
import type { ResourceServerRuntime } from '../runtime';
import { createServiceTokenClient } from '../service-token-client';

export interface TestRuntimeOptions {
  /** Plays auth-service's keys: the verifier loads its JWKS. */
  issuer: Pick<TestIssuer, 'jwksUri'>;
  clock?: Clock;
  /** Where the log lines go (a test reads them); stdout when absent. */
  logDestination?: Writable;
  /** Reconnect delay after the broker drops the connection, seconds. */
  reconnectSeconds?: number;
}

/**
 * A resource service's runtime for tests: the same verifier, broker connection, service-token
 * client and auth middleware as `startResourceServerRuntime`, configured from the same config,
 * with only the outside world replaced: the keys come from a test issuer, the clock and the log
 * are the test's, and the revocation list is fed by the test instead of by auth-service.
 */
export async function startTestRuntime(
  config: ResourceServerConfig,
  service: string,
  options: TestRuntimeOptions,
): Promise<ResourceServerRuntime> {
  const logger = createLogger({
    service,
    replicaId: config.REPLICA_ID,
    level: config.LOG_LEVEL,
    destination: options.logDestination,
  });
  const metrics = createMetricsRegistry(service);
  const verifier = createAccessTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUDIENCE,
    jwksUri: options.issuer.jwksUri,
    clockToleranceSeconds: config.CLOCK_TOLERANCE,
    maxLifetimeSeconds: config.ACCESS_TOKEN_TTL,
  });
  const revocations = new InMemoryRevocationList({
    maxTokenLifetimeSeconds: config.ACCESS_TOKEN_TTL,
  });
  const broker = connectBroker(config.AMQP_URL, {
    logger,
    name: `${service}-${config.REPLICA_ID}`,
    reconnectSeconds: options.reconnectSeconds,
  });
  registerAuthMetrics(metrics, verifier, revocations);
  await verifier.ready();
  return {
    logger,
    metrics,
    clock: options.clock ?? (() => new Date()),
    ...shutdownSwitch(),
    verifier,
    revocations,
    broker,
    messagingMetrics: createMessagingMetrics(metrics),
    serviceTokens: createServiceTokenClient({
      tokenUrl: `${config.AUTH_URL}/token`,
      clientId: config.CLIENT_ID,
      clientSecret: config.CLIENT_SECRET,
    }),
    requireAuth: requireAuth(verifier, { revocations, realm: service }),
    readiness: {
      keys: () => verifier.isReady(),
      broker: () => broker.isConnected(),
      // The test feeds the revocation list itself: it is always as current as the test made it.
      revocations: () => true,
    },
    close: () => broker.close(),
  };
}
