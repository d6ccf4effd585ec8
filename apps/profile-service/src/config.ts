import { audience, resourceServerEnv } from '@dja/resource-server';
import { z } from 'zod';

/**
 * Every environment variable the profile service reads: the shared resource-server variables
 * (documented in libs/resource-server/src/config.ts) and its own. The README has the same table.
 */
export const configSchema = z.object({
  ...resourceServerEnv,
  AUDIENCE: audience('profile'),
  /** Tries of a failing `user.registered` before it goes to the dead-letter queue. */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
});

export type ProfileConfig = z.infer<typeof configSchema>;
