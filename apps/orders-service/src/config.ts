import { env } from '@dja/config';
import { audience, resourceServerEnv } from '@dja/resource-server';
import { z } from 'zod';

/**
 * Every environment variable the orders service reads: the shared resource-server variables
 * (documented in libs/resource-server/src/config.ts) and its own. The README has the same table.
 */
export const configSchema = z.object({
  ...resourceServerEnv,
  AUDIENCE: audience('orders'),
  /** The outbox relay looks for unpublished events this often, milliseconds. */
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  /** An Idempotency-Key is honoured at least this long after its order was created, seconds. */
  IDEMPOTENCY_KEY_TTL: env.seconds(24 * 3600),
  /** Expired idempotency keys are forgotten this often, seconds. */
  IDEMPOTENCY_PURGE_INTERVAL: env.seconds(3600),
});

export type OrdersConfig = z.infer<typeof configSchema>;
