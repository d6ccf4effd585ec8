import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { waitFor } from '../src/wait-for';
import { isClosed } from './fixtures/is-closed';

describe('servers of a process that was killed', () => {
  it('are stopped by the reaper within seconds', async () => {
    const owner = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures/orphan-owner.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, TEST_DATABASE_URL: '', TEST_AMQP_URL: '' },
      },
    );
    const [firstLine] = (await once(owner.stdout, 'data')) as [Buffer];
    const ports = JSON.parse(firstLine.toString()) as { postgres: number; rabbitmq: number };
    expect(await isClosed(ports.postgres)).toBe(false);
    expect(await isClosed(ports.rabbitmq)).toBe(false);

    owner.kill('SIGKILL');
    await waitFor(
      async () => (await isClosed(ports.postgres)) && (await isClosed(ports.rabbitmq)),
      {
        timeoutMs: 20_000,
        description: 'the orphaned servers to stop',
      },
    );
  });
});
