import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codeSpansOfLine, shellBlocks } from './readme';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');

/**
 * The README's curl walkthrough, taken from README.md as it is, run with bash, curl and jq
 * against `npm run stack` on a free port, the way a reader pastes it block after block.
 */
describe("the README's walkthrough with curl", () => {
  let stack: ChildProcess;
  let gatewayUrl: string;
  let dir: string;
  let output: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dja-walkthrough-'));
    ({ stack, gatewayUrl } = await startStack());
    output = await runWalkthrough(dir, gatewayUrl);
  });

  afterAll(async () => {
    if (stack?.exitCode === null) {
      process.kill(-stack.pid!, 'SIGTERM');
      await once(stack, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('registers Ada and logs her in', async () => {
    expect(output).toMatch(/"email": "ada@example\.com"/);
    const login = JSON.parse(await readFile(join(dir, 'login.json'), 'utf8'));
    expect(login).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
  });

  it('decodes a header naming RS256 and a key, and a payload with exactly the claims the README lists', async () => {
    expect(output).toMatch(/"alg": "RS256"/);
    expect(output).toMatch(/"kid": "[\w-]+"/);
    const { access_token } = JSON.parse(await readFile(join(dir, 'login.json'), 'utf8'));
    const payload = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString());
    expect(Object.keys(payload).sort()).toEqual(codeSpansOfLine('The payload carries').sort());
    expect(payload.exp - payload.iat).toBe(5 * 60);
  });

  it('is answered by more than one orders replica, each verifying on its own', () => {
    const servedBy = new Set(output.match(/^X-Served-By: orders-service-\d+/gim));
    expect(servedBy.size).toBeGreaterThan(1);
    expect(output).toMatch(/"status": "created"/);
    expect(output).toMatch(/"displayName": "Ada"/);
  });

  it('has every service refuse a tampered token with invalid_token', () => {
    for (const path of ['/orders', '/profile/me', '/notifications']) {
      expect(output).toContain(`tampered ${path} 401\n`);
    }
    expect(output).toMatch(/^WWW-Authenticate: Bearer .*error="invalid_token".*signature/im);
  });

  it('has every service refuse the token after logout, as revoked', () => {
    expect(output).toContain('logout 204\n');
    for (const path of ['/orders', '/profile/me', '/notifications']) {
      expect(output).toContain(`logged out ${path} 401\n`);
    }
    expect(output).toMatch(/^WWW-Authenticate: Bearer .*error="invalid_token".*revoked/im);
  });

  it('rotates the refresh token, answers invalid_grant to a reused one and ends the session', async () => {
    const login = JSON.parse(await readFile(join(dir, 'login.json'), 'utf8'));
    const refreshed = JSON.parse(await readFile(join(dir, 'refreshed.json'), 'utf8'));
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    expect(output).toMatch(/"error": "invalid_grant"/);
    expect(output).toContain('after reuse 401\n');
  });
});

/** `npm run stack -- --port 0`, as a user starts it, until it prints `stack ready at <url>`. */
async function startStack(): Promise<{ stack: ChildProcess; gatewayUrl: string }> {
  const stack = spawn('npm', ['run', 'stack', '--', '--port', '0'], {
    cwd: ROOT,
    detached: true, // its own process group: npm, nx, tsx and the stack stop together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      const ready = /^stack ready at (\S+)$/m.exec(seen);
      if (ready) resolve(ready[1]!);
    };
    stack.stdout!.on('data', read);
    stack.stderr!.on('data', read);
    stack.once('exit', (code) =>
      reject(new Error(`npm run stack exited with ${code} before it was ready:\n${seen}`)),
    );
  });
  return { stack, gatewayUrl };
}

/** Every shell block of the walkthrough in one bash, a pause between blocks; its stdout. */
async function runWalkthrough(dir: string, gatewayUrl: string): Promise<string> {
  const blocks = shellBlocks('Walkthrough with curl');
  expect(blocks.length).toBeGreaterThan(0);
  // A reader pastes one block, reads the answer, then pastes the next: the pause stands for that.
  const script = ['set -eo pipefail', ...blocks.map((block) => `${block}\nsleep 1`)].join('\n');
  await writeFile(join(dir, 'walkthrough.sh'), script);
  const { stdout } = await run('bash', [join(dir, 'walkthrough.sh')], {
    cwd: dir,
    env: { ...process.env, GW: gatewayUrl },
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout;
}
