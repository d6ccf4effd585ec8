import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { amqpHandshake } from '../../src/amqp-handshake';

const workspaceRoot = join(__dirname, '../../../..');

function runJest(config: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [require.resolve('jest/bin/jest'), '--config', config, '--ci'],
      { cwd: workspaceRoot, env, timeout: 120_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

describe('jest global setup from withTestServers()', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dja-fixture-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts PostgreSQL and RabbitMQ for the tests and stops them when the run ends', async () => {
    const report = join(dir, 'report.json');
    const { DJA_TEST_PG_URL: _pg, DJA_TEST_AMQP_URL: _amqp, ...env } = process.env;
    // Jest exits non-zero, and runJest() rejects, if the fixture's test fails.
    await runJest(join(__dirname, '../fixtures/servers-project/jest.config.js'), {
      ...env,
      TEST_DATABASE_URL: '',
      TEST_AMQP_URL: '',
      FIXTURE_REPORT: report,
    });

    const urls = JSON.parse(await readFile(report, 'utf8')) as { postgres: string; amqp: string };
    const client = new Client({ connectionString: urls.postgres });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
    await expect(amqpHandshake(Number(new URL(urls.amqp).port))).rejects.toThrow(/ECONNREFUSED/);
  });
});
