import { loadConfig } from '@dja/config';
import { resourceServerEnv } from '@dja/resource-server';
import { z } from 'zod';

/** Every environment variable the profile service reads. The README has the same table. */
export const configSchema = z.object({
  ...resourceServerEnv,
  /** Tries of a failing `user.registered` before it goes to the dead-letter queue. */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
});

export type ProfileConfig = z.infer<typeof configSchema>;

export function loadProfileConfig(environment: Record<string, string | undefined>): ProfileConfig {
  return loadConfig(configSchema, environment);
}
