import { z } from 'zod';

/** Reusable field parsers for environment variables, which always arrive as strings. */

export const port = (fallback?: number) => {
  const field = z.coerce.number().int().min(0).max(65535);
  return fallback === undefined ? field : field.default(fallback);
};

/**
 * The operations listener of a service (`/healthz`, `/readyz`, `/metrics`): reached by Prometheus
 * and the orchestrator on each replica, never published through the gateway.
 */
export const operationsPort = () => port(9000);

export const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const url = () => z.url();

export const postgresUrl = () =>
  z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

export const amqpUrl = () => z.string().regex(/^amqps?:\/\//, 'must be an amqp:// or amqps:// URL');

/** Names a replica in logs and in `X-Served-By`; compose can pass the container hostname. */
export const replicaId = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, '1-64 of A-Z a-z 0-9 . _ -')
    .default('1');

export const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** A comma-separated list, e.g. `orders,profile`. */
export const list = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
