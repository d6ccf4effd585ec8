import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  InMemoryRevocationList,
  requireAuth,
} from '@dja/auth';
import {
  createLogger,
  createMetricsRegistry,
  type RawQueryClient,
  type ServiceDependencies,
  type ServiceRuntime,
  shutdownSwitch,
} from '@dja/http';
import {
  type BrokerConnection,
  connectBroker,
  createMessagingMetrics,
  type MessagingMetrics,
  registerBrokerMetrics,
} from '@dja/messaging';
import type { RequestHandler } from 'express';
import { countRefusals, registerAuthMetrics, registerRevocationLag } from './auth-metrics';
import type { ResourceServerConfig } from './config';
import { revocationSnapshotLoader, startRevocationFeed } from './revocation-feed';
import { createServiceTokenClient, type ServiceTokenClient } from './service-token-client';

/** The runtime of a resource service: the shared parts and the auth-service facing ones. */
export interface ResourceServerRuntime extends ServiceRuntime {
  verifier: AccessTokenVerifier;
  revocations: InMemoryRevocationList;
  broker: BrokerConnection;
  /** Retries, dead letters and publish retries, for every subscription of the service. */
  messagingMetrics: MessagingMetrics;
  /** This service's own client_credentials tokens, for calls to other services. */
  serviceTokens: ServiceTokenClient;
  /** Verifies the bearer token locally and consults the revocation list. */
  requireAuth: RequestHandler;
}

/** The `Dependencies` fields every resource service has; each one's interface extends it. */
export interface ResourceServiceDependencies<
  Config extends ResourceServerConfig = ResourceServerConfig,
  Db extends RawQueryClient = RawQueryClient,
> extends ServiceDependencies<Config, Db> {
  /** Verifies the bearer token (audience `AUDIENCE`) and consults the revocation list. */
  requireAuth: RequestHandler;
  /** Retries, dead letters and publish retries, for every subscription of the service. */
  messagingMetrics: MessagingMetrics;
}

/**
 * The part of a resource service's `Dependencies` that comes straight from its runtime; the
 * service adds its own parts and `close`.
 */
export function resourceServiceDependencies<
  Config extends ResourceServerConfig,
  Db extends RawQueryClient,
>(
  config: Config,
  runtime: ResourceServerRuntime,
  db: Db,
): Omit<ResourceServiceDependencies<Config, Db>, 'close'> {
  return {
    config,
    clock: runtime.clock,
    logger: runtime.logger,
    metrics: runtime.metrics,
    db,
    requireAuth: runtime.requireAuth,
    messagingMetrics: runtime.messagingMetrics,
    readiness: runtime.readiness,
    isShuttingDown: runtime.isShuttingDown,
  };
}

/**
 * What every resource service builds before it serves: logger, metrics, the token verifier
 * (JWKS loaded before this resolves), the broker connection and the revocation list it feeds.
 */
export async function startResourceServerRuntime(
  config: ResourceServerConfig,
  service: string,
): Promise<ResourceServerRuntime> {
  const logger = createLogger({ service, replicaId: config.REPLICA_ID, level: config.LOG_LEVEL });
  const metrics = createMetricsRegistry(service);
  const verifier = createAccessTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUDIENCE,
    jwksUri: `${config.AUTH_URL}/.well-known/jwks.json`,
    clockToleranceSeconds: config.CLOCK_TOLERANCE,
    maxLifetimeSeconds: config.ACCESS_TOKEN_TTL,
    jwks: {
      cooldownMs: config.JWKS_COOLDOWN * 1000,
      maxAgeMs: config.JWKS_MAX_AGE * 1000,
      staleIfErrorMs: config.JWKS_STALE_IF_ERROR * 1000,
    },
  });
  const revocations = new InMemoryRevocationList({
    maxTokenLifetimeSeconds: config.ACCESS_TOKEN_TTL,
  });
  const serviceTokens = createServiceTokenClient({
    tokenUrl: `${config.AUTH_URL}/token`,
    clientId: config.CLIENT_ID,
    clientSecret: config.CLIENT_SECRET,
  });
  const broker = connectBroker(config.AMQP_URL, {
    logger,
    name: `${service}-${config.REPLICA_ID}`,
  });
  const messagingMetrics = createMessagingMetrics(metrics);
  registerBrokerMetrics(metrics, broker);
  const revocationFeed = startRevocationFeed({
    broker,
    list: revocations,
    verifier,
    service,
    logger,
    lag: registerRevocationLag(metrics),
    metrics: messagingMetrics,
    loadSnapshot: revocationSnapshotLoader(
      `${config.AUTH_URL}/internal/revocations`,
      serviceTokens,
    ),
  });
  registerAuthMetrics(metrics, verifier, revocations);
  await verifier.ready();
  return {
    logger,
    metrics,
    clock: () => new Date(),
    ...shutdownSwitch(),
    verifier,
    revocations,
    broker,
    messagingMetrics,
    serviceTokens,
    requireAuth: countRefusals(metrics, requireAuth(verifier, { revocations, realm: service })),
    readiness: {
      keys: () => verifier.isReady(),
      broker: () => broker.isConnected(),
      revocations: () => revocationFeed.isSynced(),
    },
    async close() {
      await revocationFeed.close();
      await broker.close();
    },
  };
}
