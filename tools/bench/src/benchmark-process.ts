/**
 * One benchmark of the registry, run in a process of its own, as `npm run bench` runs each; the
 * runtimes benchmark runs the in-process ones this way under two Node.js binaries.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchmarkResult } from './benchmark';
import { BENCHMARKS, type BenchmarkName } from './registry';

const BENCH_DIR = join(__dirname, '../benchmarks');

export interface BenchmarkProcessOptions {
  /** The node binary; this process's own by default. */
  node?: string;
  /** Variables added to this process's environment, e.g. BENCH_ROUNDS. */
  env?: NodeJS.ProcessEnv;
}

/** Runs the benchmark, its output on this process's stderr, and resolves with its result. */
export async function runBenchmarkProcess(
  name: BenchmarkName,
  { node = process.execPath, env = {} }: BenchmarkProcessOptions = {},
): Promise<BenchmarkResult> {
  const entry: { file: string; nodeArgs?: string[] } = BENCHMARKS[name];
  const dir = await mkdtemp(join(tmpdir(), 'dja-bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const child = spawn(
      node,
      [...(entry.nodeArgs ?? []), '--import', 'tsx', join(BENCH_DIR, entry.file)],
      {
        env: { ...process.env, ...env, BENCH_RESULT_FILE: resultFile },
        // The benchmark's own tables and progress go to stderr, so stdout is the summary alone.
        stdio: ['ignore', process.stderr, 'inherit'],
      },
    );
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`${name} exited with ${code}`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as BenchmarkResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
