/**
 * npm run bench [-- <name>…] [-- --list]: runs the named benchmarks (all by default), each in a
 * process of its own, merges each one's figures into docs/bench/bench-results.json as it ends, and prints one
 * screen: every figure, what it is judged by, its target and whether it is met.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchmarkResult } from './benchmark';
import { BENCHMARK_NAMES, BENCHMARKS, type BenchmarkName, isBenchmarkName } from './registry';
import { RESULTS_FILE, mergeResults, summary } from './results';

const BENCH_DIR = join(__dirname, '../benchmarks');

async function runOne(name: BenchmarkName, dir: string): Promise<BenchmarkResult> {
  const entry = BENCHMARKS[name] as { file: string; nodeArgs?: string[] };
  const resultFile = join(dir, `${name}.json`);
  process.stderr.write(`\n=== ${name}: ${BENCHMARKS[name].about}\n`);
  const child = spawn(
    process.execPath,
    [...(entry.nodeArgs ?? []), '--import', 'tsx', join(BENCH_DIR, entry.file)],
    {
      env: { ...process.env, BENCH_RESULT_FILE: resultFile },
      // The benchmark's own tables and progress go to stderr, so stdout is the summary alone.
      stdio: ['ignore', process.stderr, 'inherit'],
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${name} exited with ${code}`);
  return JSON.parse(await readFile(resultFile, 'utf8')) as BenchmarkResult;
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--list')) {
    for (const name of BENCHMARK_NAMES) console.log(`${name.padEnd(18)} ${BENCHMARKS[name].about}`);
    return;
  }
  const unknown = args.filter((name) => !isBenchmarkName(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARK_NAMES.join(', ')}`,
    );
  }
  const names = args.length > 0 ? (args as BenchmarkName[]) : BENCHMARK_NAMES;
  const dir = await mkdtemp(join(tmpdir(), 'dja-bench-'));
  const results: BenchmarkResult[] = [];
  const failed: string[] = [];
  try {
    for (const name of names) {
      try {
        const result = await runOne(name, dir);
        results.push(result);
        // Each as it finishes, so that an interrupted run keeps what it measured.
        await mergeResults([result]);
      } catch (error) {
        failed.push(name);
        process.stderr.write(`${name} failed: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(summary(results, failed));
  console.log(`figures and details: ${RESULTS_FILE}`);
  if (failed.length > 0) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
