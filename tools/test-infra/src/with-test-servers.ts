// Runs a command with one throw-away PostgreSQL and one RabbitMQ for all of it:
//
//   tsx tools/test-infra/src/with-test-servers.ts nx run-many -t test ...
//
// Every Jest project then uses these two (TEST_DATABASE_URL, TEST_AMQP_URL) instead of starting
// its own pair, and projects can run side by side: `npm run test:quick` starts two servers
// instead of two per project. Each test file still gets a database of its own, and tests that
// stop or restart a broker still start their own. The servers stop when the command ends, and
// their reapers stop them if this process is killed.
import { spawn } from 'node:child_process';
import { startPostgres } from './postgres';
import { startRabbitMQ } from './rabbitmq';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', env });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: with-test-servers.ts <command> [arguments...]');
  const [postgres, rabbitmq] = await Promise.all([startPostgres(), startRabbitMQ()]);
  const code = await run(command, args, {
    ...process.env,
    TEST_DATABASE_URL: postgres.url,
    TEST_AMQP_URL: rabbitmq.url,
  });
  await Promise.allSettled([postgres.stop(), rabbitmq.stop()]);
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
