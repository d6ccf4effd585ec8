import { env } from '@dja/config';
import { audience, resourceServerEnv } from '@dja/resource-server';
import { z } from 'zod';

/**
 * Every environment variable the notifications service reads: the shared resource-server variables
 * (documented in libs/resource-server/src/config.ts) and its own. The README has the same table.
 */
export const configSchema = z.object({
  ...resourceServerEnv,
  AUDIENCE: audience('notifications'),
  /** Where this service reaches profile-service directly, for `GET /profiles/:userId`. */
  PROFILE_URL: env.url().transform((value) => value.replace(/\/+$/, '')),
  /** A profile lookup that has not answered after this long (milliseconds) has failed. */
  PROFILE_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(2000),
  /** Tries per event before it goes to the dead-letter queue (a missing profile is retried too). */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Delay before retry n of an event is this (milliseconds) times 2^(n-1). */
  EVENT_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
});

export type NotificationsConfig = z.infer<typeof configSchema>;
