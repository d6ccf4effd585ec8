import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type AccessTokenVerifier } from '@dja/auth';
import {
  type Closeable,
  createLogger,
  createMetricsRegistry,
  type ServiceDependencies,
  type ServiceRuntime,
  shutdownSwitch,
  startPeriodicTask,
} from '@dja/http';
import {
  type BrokerConnection,
  connectBroker,
  createEventRelay,
  createMessagingMetrics,
  type EventRelay,
  registerBrokerMetrics,
} from '@dja/messaging';
import { type Clock, systemClock } from './clock';
import type { AuthConfig } from './config';
import { connectDatabase, type Database } from './database';
import { KeyEncryption } from './keys/key-encryption';
import { KeyStore } from './keys/key-store';
import {
  importSigningKeyFile,
  rotateSigningKeys,
  type RotationDeps,
  scheduleKeyRotation,
} from './keys/rotate-signing-keys';
import { type AuthMetrics, createAuthMetrics, registerPasswordQueueDepth } from './metrics';
import { PasswordHasher } from './passwords/passwords';
import { PasswordThreads } from './passwords/password-threads';
import { DatabaseRevocationList } from './revocations/revocations';
import type { RefreshTokenPolicy } from './sessions/refresh-tokens';
import { AccessTokenIssuer } from './tokens/issue-access-token';
import { purgeExpiredThrottleEvents, Throttle } from './throttling/throttle';
import { createOwnTokenVerifier } from './tokens/own-token-verifier';
import type { UserTokenPolicy } from './tokens/user-token';
import { LoginThrottle } from './users/login-throttle';
import { ensureAdminAccount } from './users/register-user';

export const SERVICE_NAME = 'auth-service';

/** The outside world: logs, metrics, time and, when AMQP_URL is set, RabbitMQ. */
export interface Runtime extends ServiceRuntime {
  /** Where the outbox is published; without one, events wait in the outbox. */
  broker: BrokerConnection | undefined;
}

/** What a test puts in place of the outside world. */
export interface RuntimeOverrides {
  clock?: Clock;
  /** Where the log lines go (a test reads them); stdout when absent. */
  logDestination?: Writable;
}

export async function startRuntime(
  config: AuthConfig,
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  const logger = createLogger({
    service: SERVICE_NAME,
    replicaId: config.REPLICA_ID,
    level: config.LOG_LEVEL,
    destination: overrides.logDestination,
  });
  const broker = config.AMQP_URL
    ? connectBroker(config.AMQP_URL, { logger, name: `${SERVICE_NAME}-${config.REPLICA_ID}` })
    : undefined;
  const metrics = createMetricsRegistry(SERVICE_NAME);
  if (broker) registerBrokerMetrics(metrics, broker);
  return {
    logger,
    metrics,
    clock: overrides.clock ?? systemClock,
    ...shutdownSwitch(),
    broker,
    readiness: {},
    close: async () => await broker?.close(),
  };
}

/** Everything the routes use, built once per process (or per test) from the configuration. */
export interface Dependencies extends ServiceDependencies<AuthConfig, Database> {
  clock: Clock;
  authMetrics: AuthMetrics;
  keys: KeyStore;
  rotation: RotationDeps;
  tokens: AccessTokenIssuer;
  /** Verifies access tokens sent to this service (logout, admin, internal). */
  verifier: AccessTokenVerifier;
  revocations: DatabaseRevocationList;
  /** Publishes outbox rows; routes call `flush()` after a transaction that wrote events. */
  events: EventRelay;
  passwords: PasswordHasher;
  loginThrottle: LoginThrottle;
  /** Sign-ups per client address. */
  registrationThrottle: Throttle;
  /** Failed client authentications per client id. */
  clientThrottle: Throttle;
  refreshTokenPolicy: RefreshTokenPolicy;
  userTokenPolicy: UserTokenPolicy;
}

/**
 * Builds everything the routes use and does the start-up work (see `prepare`): the service is
 * ready to serve when this resolves.
 */
export async function createDependencies(
  config: AuthConfig,
  runtime: Runtime,
): Promise<Dependencies> {
  const deps = buildDependencies(config, runtime);
  try {
    await prepare(deps);
  } catch (error) {
    await deps.close();
    throw error;
  }
  return deps;
}

function buildDependencies(config: AuthConfig, runtime: Runtime): Dependencies {
  const { clock, logger, metrics } = runtime;
  const db = connectDatabase(config.DATABASE_URL);
  const encryption = new KeyEncryption(config.KEY_ENCRYPTION_SECRET);
  const keys = new KeyStore({
    db,
    encryption,
    clock,
    logger,
    reloadIntervalSeconds: config.KEY_RELOAD_INTERVAL,
  });
  const passwordThreads = new PasswordThreads({
    threads: config.PASSWORD_HASH_THREADS,
    nice: config.PASSWORD_HASH_NICE,
    maxQueued: config.PASSWORD_HASH_MAX_QUEUED,
    logger,
  });
  registerPasswordQueueDepth(metrics, passwordThreads);
  const passwords = new PasswordHasher(passwordThreads);
  return {
    config,
    clock,
    logger,
    metrics,
    authMetrics: createAuthMetrics(metrics),
    db,
    keys,
    rotation: {
      db,
      encryption,
      clock,
      policy: {
        activationDelaySeconds: config.KEY_ACTIVATION_DELAY,
        rotationIntervalSeconds: config.KEY_ROTATION_INTERVAL,
        retentionSeconds: config.ACCESS_TOKEN_TTL + config.CLOCK_TOLERANCE,
      },
    },
    tokens: new AccessTokenIssuer(keys, {
      issuer: config.ISSUER,
      ttlSeconds: config.ACCESS_TOKEN_TTL,
    }),
    verifier: createOwnTokenVerifier(keys, clock, {
      issuer: config.ISSUER,
      audience: config.AUTH_AUDIENCE,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
      clockToleranceSeconds: config.CLOCK_TOLERANCE,
    }),
    revocations: new DatabaseRevocationList(db),
    events: createEventRelay({
      db,
      broker: runtime.broker,
      logger,
      registry: metrics,
      metrics: createMessagingMetrics(metrics),
    }),
    passwords,
    loginThrottle: new LoginThrottle(db, {
      perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_FAILURE_WINDOW,
    }),
    registrationThrottle: new Throttle(db, {
      name: 'register-ip',
      limit: config.REGISTRATION_MAX_PER_ADDRESS,
      windowSeconds: config.REGISTRATION_WINDOW,
    }),
    clientThrottle: new Throttle(db, {
      name: 'client',
      limit: config.CLIENT_MAX_FAILED_AUTHENTICATIONS,
      windowSeconds: config.CLIENT_FAILURE_WINDOW,
    }),
    refreshTokenPolicy: {
      idleTtlSeconds: config.REFRESH_TOKEN_IDLE_TTL,
      absoluteTtlSeconds: config.REFRESH_TOKEN_ABSOLUTE_TTL,
    },
    userTokenPolicy: {
      clientId: config.PUBLIC_CLIENT_ID,
      audience: config.ACCESS_TOKEN_AUDIENCE,
      scopes: config.USER_SCOPES,
    },
    readiness: runtime.readiness,
    isShuttingDown: runtime.isShuttingDown,
    async close() {
      await passwords.close();
      await db.$disconnect();
    },
  };
}

/**
 * Start-up work, safe when several replicas start at once: import SIGNING_KEY_FILE, create a
 * first signing key if there is none, load the keys, create the admin account.
 */
async function prepare(deps: Dependencies): Promise<void> {
  const { config, logger, clock } = deps;
  if (config.SIGNING_KEY_FILE) {
    const pem = await readFile(config.SIGNING_KEY_FILE, 'utf8');
    const imported = await importSigningKeyFile(deps.rotation, pem);
    logger.info({ kid: imported.kid, created: imported.created }, 'signing key file imported');
  }
  await rotateSigningKeys(deps.rotation, { force: false });
  await deps.keys.reload();
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const admin = {
      email: config.ADMIN_EMAIL.trim().toLowerCase(),
      password: config.ADMIN_PASSWORD,
    };
    const outcome = await ensureAdminAccount(deps.db, deps.passwords, admin, clock());
    if (outcome === 'taken by a non-admin') {
      logger.warn('ADMIN_EMAIL belongs to an account without the admin role; it was not promoted');
    } else {
      logger.info({ outcome }, 'admin account checked');
    }
  }
}

/**
 * What every replica runs besides the requests: key reload, scheduled rotation, the outbox
 * relay, the purge of expired throttle counts.
 */
export function startBackgroundJobs(deps: Dependencies): Closeable {
  deps.keys.startReloading();
  deps.events.start();
  const stopRotation = scheduleKeyRotation({
    ...deps.rotation,
    keys: deps.keys,
    logger: deps.logger,
  });
  const throttlePurge = startPeriodicTask({
    name: 'purge expired throttle counts',
    intervalSeconds: deps.config.THROTTLE_PURGE_INTERVAL,
    run: () => purgeExpiredThrottleEvents(deps.db, deps.clock()),
    logger: deps.logger,
  });
  return {
    async close() {
      await throttlePurge.close();
      stopRotation();
      deps.keys.stopReloading();
      await deps.events.stop();
    },
  };
}
