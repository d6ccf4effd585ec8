import { isIP } from 'node:net';
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
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .meta({ separator: ',' });

/** An IP address, or a CIDR block such as `10.0.0.0/8` or `fd00::/8`. */
const isAddressOrBlock = (value: string): boolean => {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
};

/**
 * The proxies whose `X-Forwarded-For` is believed: a comma-separated list of addresses and CIDR
 * blocks, never "everyone", so that a client cannot pick the address it is throttled under.
 */
export const trustedProxies = (fallback: string) =>
  list()
    .default(fallback.split(','))
    .pipe(
      z
        .array(z.string())
        .refine((entries) => entries.every(isAddressOrBlock), 'addresses or CIDR blocks only'),
    );
