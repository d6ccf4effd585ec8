/**
 * Every benchmark `npm run bench` knows, in the order it runs them. To add one: write
 * `tools/bench/benchmarks/<name>.bench.ts` ending in `runBenchmark(main)` (src/benchmark.ts),
 * add a line here, and a section to docs/benchmarks.md.
 */
export interface BenchmarkEntry {
  /** File under tools/bench/benchmarks/. */
  file: string;
  /** One line for `npm run bench -- --list`. */
  about: string;
  /** Extra node flags the benchmark needs. */
  nodeArgs?: string[];
}

export const BENCHMARKS = {
  verify: {
    file: 'verify.bench.ts',
    about: 'libs/auth verification path against raw RS256 crypto.verify, concurrency 1 and 64',
  },
  'revocation-memory': {
    file: 'revocation-memory.bench.ts',
    about: 'heap of the in-memory revocation list per 100 000 entries',
    nodeArgs: ['--expose-gc'],
  },
  footprint: {
    file: 'footprint.bench.ts',
    about: 'idle RSS by part and start-to-ready of every service, 10 starts each',
  },
  runtimes: {
    file: 'runtimes.bench.ts',
    about:
      'Node.js 24 against Node.js 20 in one run: verify ratios, idle RSS, start to ready, refresh per CPU-second',
  },
  revocation: {
    file: 'revocation.bench.ts',
    about:
      'logout, and a signing-key withdrawal, to 401 on every resource replica of the local stack',
  },
  load: {
    file: 'load.bench.ts',
    about: 'auth tax, session store, replicas, issuance, memory under load (local stack)',
  },
  scaling: {
    file: 'scaling.bench.ts',
    about: '1, 2 and 3 orders replicas, each with a fixed CPU budget, behind the gateway',
  },
} satisfies Record<string, BenchmarkEntry>;

export type BenchmarkName = keyof typeof BENCHMARKS;

export const BENCHMARK_NAMES = Object.keys(BENCHMARKS) as BenchmarkName[];

export const isBenchmarkName = (name: string): name is BenchmarkName => name in BENCHMARKS;
