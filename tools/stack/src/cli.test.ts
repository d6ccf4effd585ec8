import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '@dja/test-infra';

// `npm run stack` as a user runs it: the real CLI, as a child process, with small replica counts.
const ROOT = join(__dirname, '../../..');

interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'cli.ts'), ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => (out += String(chunk)));
  child.stderr?.on('data', (chunk) => (err += String(chunk)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe('npm run stack', () => {
  jest.setTimeout(180_000);

  it('prints every replica, then one ready line, serves through the gateway, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const cli = runCli([
      '--port',
      String(port),
      '--replicas',
      'auth=1,orders=2,profile=1,notifications=1',
    ]);
    try {
      await waitFor(() => /stack ready at/.test(cli.stdout()), {
        timeoutMs: 150_000,
        intervalMs: 200,
        description: `the ready line (stderr so far: ${cli.stderr().slice(-500)})`,
      });
      const out = cli.stdout();
      const ready = out.split('\n').filter((line) => line.startsWith('stack ready at'));
      expect(ready).toEqual([`stack ready at http://127.0.0.1:${port}`]);
      for (const replica of [
        'auth-service-1',
        'orders-service-1',
        'orders-service-2',
        'profile-service-1',
        'notifications-service-1',
      ]) {
        expect(out).toMatch(new RegExp(`^${replica}\\s+\\d+\\s+http://127\\.0\\.0\\.1:\\d+`, 'm'));
      }
      expect(out).not.toMatch(/orders-service-3/);
      const health = await fetch(`http://127.0.0.1:${port}/auth/.well-known/jwks.json`);
      expect(health.status).toBe(200);
      expect(health.headers.get('x-served-by')).toBe('auth-service-1');

      const replicaPorts = [...out.matchAll(/^\S+-\d+\s+(\d+)\s/gm)].map(([, p]) => Number(p));
      const logDir = /^logs: (.+)\/logs$/m.exec(out)?.[1];
      expect(logDir && existsSync(logDir)).toBe(true);

      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      // Every replica's port and the gateway's are free again, and the temp dir is gone.
      for (const replicaPort of [...replicaPorts, port]) {
        expect(
          await fetch(`http://127.0.0.1:${replicaPort}/healthz`).then(
            () => 'answered',
            () => 'closed',
          ),
        ).toBe('closed');
      }
      expect(existsSync(logDir!)).toBe(false);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });
});
