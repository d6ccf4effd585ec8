/**
 * What every benchmark hands back to `npm run bench`: its figures, each with the target it is
 * judged against, and whatever details its docs section needs. A benchmark is a script under
 * tools/bench/benchmarks/ that ends with `await emit(result)`.
 */
import { writeFile } from 'node:fs/promises';

/** At least, at most, or both; absent: the figure is informative only. */
export interface Target {
  atLeast?: number;
  atMost?: number;
}

export interface Figure {
  /** Stable key within the benchmark, e.g. `uncachedC64`. */
  key: string;
  label: string;
  value: number;
  /** `x` for ratios, `ms`, `MiB`, `req/s`… */
  unit: string;
  /** For a ratio: what the value was divided by, measured in the same run. */
  judgedBy?: string;
  target?: Target;
  met?: boolean;
}

export interface BenchmarkResult {
  benchmark: string;
  figures: Figure[];
  /** Everything else the run measured, kept in docs/bench/bench-results.json. */
  details?: unknown;
}

/** A figure, with `met` worked out from its target. */
export function figure(f: Omit<Figure, 'met'>): Figure {
  if (!f.target) return f;
  const { atLeast, atMost } = f.target;
  const met =
    (atLeast === undefined || f.value >= atLeast) && (atMost === undefined || f.value <= atMost);
  return { ...f, met };
}

/**
 * Hands the result to the runner (BENCH_RESULT_FILE, set by `npm run bench`) and prints it as
 * the last line of output, so a benchmark run on its own shows the same JSON.
 */
export async function emit(result: BenchmarkResult): Promise<void> {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) await writeFile(file, JSON.stringify(result));
  console.log(JSON.stringify({ benchmark: result.benchmark, figures: result.figures }));
}

/** Runs a benchmark's main, exiting non-zero on failure. */
export function runBenchmark(main: () => Promise<BenchmarkResult>): void {
  main()
    .then(emit)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
