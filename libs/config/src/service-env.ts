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
  /** Names this replica in logs and in `X-Served-By: <service>-<id>`. */
  REPLICA_ID: env.replicaId(),
  /** pino log level. */
  LOG_LEVEL: env.logLevel(),
  /** This service's own PostgreSQL database. */
  DATABASE_URL: env.postgresUrl(),
};

export const serviceConfig = z.object(serviceEnv);
export type ServiceConfig = z.infer<typeof serviceConfig>;
