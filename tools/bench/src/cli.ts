/**
 * npm run bench [-- <name>…] [-- --list]: runs the named benchmarks (all by default), each in a
 * process of its own, merges each one's figures into docs/bench/bench-results.json as it ends, and prints one
 * screen: every figure, what it is judged by, its target and whether it is met.
 */
import { loadavg } from 'node:os';
import type { BenchmarkResult } from './benchmark';
import { runBenchmarkProcess } from './benchmark-process';
import { BENCHMARK_NAMES, BENCHMARKS, type BenchmarkName, isBenchmarkName } from './registry';
import { writeDocsSection } from './docs';
import { FULL_RUN_HEADING, fullRunMarkdown, RESULTS_FILE, mergeResults, summary } from './results';

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
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const results: BenchmarkResult[] = [];
  const failed: string[] = [];
  for (const name of names) {
    try {
      process.stderr.write(`\n=== ${name}: ${BENCHMARKS[name].about}\n`);
      const result = await runBenchmarkProcess(name);
      results.push(result);
      // Each as it finishes, so that an interrupted run keeps what it measured.
      await mergeResults([result]);
    } catch (error) {
      failed.push(name);
      process.stderr.write(`${name} failed: ${(error as Error).message}\n`);
    }
  }
  if (args.length === 0) {
    const run = { startedAt, endedAt: new Date(), loadAtStart, loadAtEnd: loadavg() };
    await writeDocsSection(FULL_RUN_HEADING, fullRunMarkdown(results, failed, run));
  }
  console.log(summary(results, failed));
  console.log(`figures and details: ${RESULTS_FILE}`);
  if (failed.length > 0) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
