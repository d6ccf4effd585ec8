import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isClosed } from './fixtures/is-closed';

const run = promisify(execFile);
const CLI = join(__dirname, '../src/with-test-servers.ts');

/** Runs `script` under with-test-servers; returns what it printed and the CLI's exit code. */
async function underServers(script: string): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', CLI, process.execPath, '-e', script],
      { env: { ...process.env, TEST_DATABASE_URL: '', TEST_AMQP_URL: '' } },
    );
    return { stdout, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; code: number };
    return { stdout: failed.stdout, code: failed.code };
  }
}

describe('with-test-servers', () => {
  it('runs the command with one PostgreSQL and one RabbitMQ, both usable, and stops them after', async () => {
    const { stdout, code } = await underServers(
      'console.log(JSON.stringify([process.env.TEST_DATABASE_URL, process.env.TEST_AMQP_URL]))',
    );
    expect(code).toBe(0);
    const [postgresUrl, amqpUrl] = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
    expect(postgresUrl).toMatch(/^postgres:\/\/.*127\.0\.0\.1:\d+\/postgres$/);
    expect(amqpUrl).toMatch(/^amqp:\/\/.*127\.0\.0\.1:\d+$/);
    // Both were up while the command ran (it printed their URLs), and are gone once it ended.
    expect(await isClosed(Number(new URL(postgresUrl!).port))).toBe(true);
    expect(await isClosed(Number(new URL(amqpUrl!).port))).toBe(true);
  }, 90_000);

  it('passes the servers to the command while it runs, and its exit code out', async () => {
    const script = `
      const { Client } = require('pg');
      const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      client.connect().then(() => client.query('SELECT 1 AS one')).then(async ({ rows }) => {
        await client.end();
        console.log('postgres answered ' + rows[0].one); // one string: under FORCE_COLOR console.log colours a number
        process.exit(3);
      });`;
    const { stdout, code } = await underServers(script);
    expect(stdout).toContain('postgres answered 1');
    expect(code).toBe(3);
  }, 90_000);
});
