import { loadConfig } from '@dja/config';
import { resourceServerEnv } from '@dja/resource-server';
import { z } from 'zod';

/**
 * Every environment variable the orders service reads: the shared resource-server variables
 * (documented in libs/resource-server/src/config.ts) and its own. The README has the same table.
 */
export const configSchema = z.object({
  ...resourceServerEnv,
  /** `aud` that access tokens must name to be accepted here. */
  AUDIENCE: z.string().min(1).default('orders'),
  /** The outbox relay looks for unpublished events this often, milliseconds. */
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
});

export type OrdersConfig = z.infer<typeof configSchema>;

export function loadOrdersConfig(environment: Record<string, string | undefined>): OrdersConfig {
  return loadConfig(configSchema, environment);
}
