import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { ProblemError } from '@dja/http';
import { PasswordHasher } from './passwords';
import { PasswordThreads, type PasswordThreadsOptions } from './password-threads';

const open: PasswordThreads[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((threads) => threads.close()));
});

function passwordThreads(options: Partial<PasswordThreadsOptions> = {}) {
  const warnings: object[] = [];
  const errors: object[] = [];
  const threads = new PasswordThreads({
    threads: 2,
    nice: 19,
    maxQueued: 64,
    logger: { warn: (obj) => void warnings.push(obj), error: (obj) => void errors.push(obj) },
    ...options,
  });
  open.push(threads);
  return { threads, hasher: new PasswordHasher(threads), warnings, errors };
}

/** Nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended while we were listing
    }
  });
}

it('hashes with argon2id at OWASP parameters and verifies only the right password', async () => {
  const { hasher } = passwordThreads();
  const hash = await hasher.hash('correct horse battery staple');
  expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
  await expect(hasher.verify(hash, 'correct horse battery stapler')).resolves.toBe(false);
  await expect(hasher.verify(undefined, 'correct horse battery staple')).resolves.toBe(false);
  await expect(hasher.verify('not a PHC string', 'anything')).resolves.toBe(false);
});

it('hashes on threads of their own at the configured nice value', async () => {
  const before = threadNiceValues().filter((nice) => nice === 17).length;
  const { hasher, warnings } = passwordThreads({ threads: 3, nice: 17 });
  await Promise.all([1, 2, 3].map((n) => hasher.hash(`password ${n}`)));
  expect(threadNiceValues().filter((nice) => nice === 17).length - before).toBe(3);
  expect(warnings).toEqual([]);
});

it('refuses with 503 once every thread is busy and the queue is full, and serves the rest', async () => {
  const { hasher } = passwordThreads({ threads: 1, maxQueued: 2 });
  const attempts = await Promise.allSettled(
    Array.from({ length: 5 }, (_, n) => hasher.hash(`password ${n}`)),
  );
  // One running and two queued; the fourth and fifth are refused at once.
  expect(attempts.map((a) => a.status)).toEqual([
    'fulfilled',
    'fulfilled',
    'fulfilled',
    'rejected',
    'rejected',
  ]);
  const refusal = (attempts[3] as PromiseRejectedResult).reason as ProblemError;
  expect(refusal).toBeInstanceOf(ProblemError);
  expect(refusal.status).toBe(503);
  await expect(hasher.hash('after the burst')).resolves.toMatch(/^\$argon2id\$/);
});

it('rejects what is still waiting when closed, and everything after', async () => {
  const { threads, hasher } = passwordThreads({ threads: 1 });
  const waiting = Promise.allSettled([hasher.hash('one'), hasher.hash('two')]);
  await threads.close();
  expect((await waiting).map((a) => a.status)).toEqual(['rejected', 'rejected']);
  await expect(hasher.hash('three')).rejects.toThrow('closed');
});

it('answers 503 and logs, without restarting in a loop, when its threads cannot start', async () => {
  const { hasher, errors } = passwordThreads({ threads: 1, argon2Path: '/nonexistent/argon2' });
  const first = hasher.hash('first');
  await expect(first).rejects.toMatchObject({ status: 503 });
  await expect(hasher.hash('second')).rejects.toMatchObject({ status: 503 });
  expect(errors).toEqual([{ err: expect.stringContaining('/nonexistent/argon2') }]);
});

it('keeps a process alive while it hashes, and never once idle, closed or not', async () => {
  // The regression: a service whose start-up failed left its threads open and Jest never exited.
  const script = join(mkdtempSync(join(tmpdir(), 'password-threads-')), 'never-closed.ts');
  writeFileSync(
    script,
    [
      `import { PasswordThreads } from ${JSON.stringify(join(__dirname, 'password-threads'))};`,
      'const threads = new PasswordThreads({',
      '  threads: 2, nice: 19, maxQueued: 8,',
      '  logger: { warn: () => undefined, error: () => undefined },',
      '});',
      "void threads.hash('hunter22', {}).then((hash) => console.log(hash.slice(0, 9)));",
    ].join('\n'),
  );
  const root = join(__dirname, '../../../..');
  const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [script], {
    cwd: root,
    timeout: 20_000,
  });
  expect(stdout.trim()).toBe('$argon2id');
});

it('loads its worker from the bundle, laid out as the service build emits it next to main.js', async () => {
  const out = mkdtempSync(join(tmpdir(), 'password-threads-bundle-'));
  const root = join(__dirname, '../../../..');
  // The flags of the auth-service build target (project.json), with this module as the entry.
  buildSync({
    entryPoints: [join(__dirname, 'password-threads.ts'), join(__dirname, 'password-worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    tsconfig: join(root, 'apps/auth-service/tsconfig.json'),
    packages: 'external',
    entryNames: '[name]',
    outdir: out,
    logLevel: 'silent',
  });
  const script = [
    `const { PasswordThreads } = require(${JSON.stringify(join(out, 'password-threads.js'))});`,
    'const threads = new PasswordThreads({',
    '  threads: 1, nice: 19, maxQueued: 8,',
    '  logger: { warn: () => undefined, error: (e) => console.error(e) },',
    `  argon2Path: require.resolve('@node-rs/argon2'),`,
    '});',
    "threads.hash('hunter22', {}).then((hash) => { console.log(hash.slice(0, 9)); return threads.close(); });",
  ].join('\n');
  // Plain node, no tsx: the bundled worker must run on its own.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: root,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    timeout: 20_000,
  });
  expect(stdout.trim()).toBe('$argon2id');
});
