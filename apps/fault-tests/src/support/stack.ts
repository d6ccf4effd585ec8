import { type Replica, type Stack, type StackOptions, startStack } from '@dja/stack';
import { Client } from 'pg';

export type { Replica, Stack };

/**
 * A stack of the file's own, with the short key and JWKS timings the scenarios need:
 * a new key signs 3 s after it is created, every auth replica reloads its keys every second,
 * and verifiers may refetch the JWKS every second.
 * With KEY_ACTIVATION_DELAY=3 the auth service advertises `Cache-Control: max-age=3` on its
 * JWKS, so a verifier's keys are fresh for 3 s and then stale.
 */
export function startFaultStack(
  replicas: StackOptions['replicas'],
  env: Record<string, string> = {},
): Promise<Stack> {
  return startStack({
    port: 0,
    replicas,
    env: {
      ...process.env,
      KEY_ACTIVATION_DELAY: '3',
      KEY_RELOAD_INTERVAL: '1',
      JWKS_COOLDOWN: '1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    onProgress: (message) => process.stderr.write(`fault-tests stack: ${message}\n`),
  });
}

/** Starts again every replica a scenario stopped or killed. */
export async function restartStopped(stack: Stack): Promise<void> {
  for (const replica of stack.replicas) if (!replica.isRunning()) await replica.start();
}

/** Runs `action` with a client of `url`, closed afterwards. */
export async function withDatabase<T>(
  url: string,
  action: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** A service's own database URL, as its replicas are configured. */
export function databaseOf(
  stack: Stack,
  service: 'auth' | 'orders' | 'profile' | 'notifications',
): string {
  return stack.replicasOf(service)[0]!.spec.env.DATABASE_URL!;
}

/** Rows of a service's outbox, and how many of them the relay has published. */
export async function outboxCounts(url: string): Promise<{ total: number; published: number }> {
  return withDatabase(url, async (client) => {
    const { rows } = await client.query<{ total: number; published: number }>(
      'SELECT count(*)::int AS total, count(published_at)::int AS published FROM outbox',
    );
    return rows[0]!;
  });
}
