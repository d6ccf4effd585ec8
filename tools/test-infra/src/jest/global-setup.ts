// Jest loads this file itself (through the project's SWC transform, but without its
// moduleNameMapper), so imports here stay relative.
import { startPostgres } from '../postgres';
import { startRabbitMQ } from '../rabbitmq';
import { AMQP_URL_ENV, PG_URL_ENV } from './server-env';

export type TestServer = 'postgres' | 'rabbitmq';

interface ProjectConfig {
  displayName?: string | { name: string };
  testEnvironmentOptions?: { testServers?: unknown };
}

interface RunningServer {
  stop(): Promise<void>;
}

// globalSetup and globalTeardown run in the same process and share globalThis (Jest's contract).
const RUNNING = Symbol.for('dja.test-infra.running-servers');
type WithServers = typeof globalThis & { [RUNNING]?: RunningServer[] };

/**
 * Starts the servers listed in the project's `testEnvironmentOptions.testServers` once per
 * Jest run and hands their URLs to the test workers through process.env, which the workers
 * inherit. A project adds this with `withTestServers(...)` from tools/test-infra/jest-servers.js.
 */
export default async function globalSetup(_globalConfig: unknown, projectConfig: ProjectConfig) {
  const wanted = parseServers(projectConfig.testEnvironmentOptions?.testServers);
  const started: RunningServer[] = [];
  (globalThis as WithServers)[RUNNING] = started;

  const startPg = async () => {
    const server = await startPostgres();
    started.push(server);
    process.env[PG_URL_ENV] = server.url;
  };
  const startAmqp = async () => {
    const server = await startRabbitMQ();
    started.push(server);
    process.env[AMQP_URL_ENV] = server.url;
  };

  const results = await Promise.allSettled([
    wanted.includes('postgres') ? startPg() : undefined,
    wanted.includes('rabbitmq') ? startAmqp() : undefined,
  ]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    // Jest skips globalTeardown when globalSetup throws.
    await globalTeardown();
    throw failure.reason;
  }
}

/** Stops what `globalSetup` started. */
export async function globalTeardown(): Promise<void> {
  const started = (globalThis as WithServers)[RUNNING] ?? [];
  (globalThis as WithServers)[RUNNING] = [];
  await Promise.all(started.map((server) => server.stop()));
}

function parseServers(value: unknown): TestServer[] {
  const known: readonly TestServer[] = ['postgres', 'rabbitmq'];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((name) => known.includes(name))) {
    throw new Error(
      `testEnvironmentOptions.testServers must list some of ${known.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
