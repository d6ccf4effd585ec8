import { z } from 'zod';
import * as env from './fields';

/**
 * The variables every service reads, to spread into its own schema (`z.object({ ...serviceEnv,
 * ... })`). Each is documented here once.
 */
export const serviceEnv = {
  /** TCP port to listen on. */
  PORT: env.port(3000),
  /** Port of /healthz, /readyz and /metrics, for Prometheus and probes; never behind the gateway. */
  OPERATIONS_PORT: env.operationsPort(),
  /** Interface to bind. */
  HOST: z.string().default('0.0.0.0'),
  /**
   * Addresses or CIDR blocks of the gateway, comma-separated: a request from one of them has its
   * client address taken from `X-Forwarded-For` (the gateway overwrites that header).
   */
  TRUSTED_PROXIES: env.trustedProxies('127.0.0.1/8,::1/128'),
  /** Names this replica in logs and in `X-Served-By: <service>-<id>`. */
  REPLICA_ID: env.replicaId(),
  /** pino log level. */
  LOG_LEVEL: env.logLevel(),
  /** This service's own PostgreSQL database. */
  DATABASE_URL: env.postgresUrl(),
};

export const serviceConfig = z.object(serviceEnv);
export type ServiceConfig = z.infer<typeof serviceConfig>;
