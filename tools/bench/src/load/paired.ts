/**
 * What tracing costs the authenticated request, measured in pairs that run at the same time.
 *
 * Measured one after the other, the same process's throughput moved by up to 2.5x from one
 * 3-second run to the next on this shared machine (docs/benchmarks.md, "What tracing costs"),
 * and a 10 % goal drowned in it. Here the untraced process and a traced one take the same load
 * together, each held to the same CPU quota (src/cpu-budget.ts): both are limited by their
 * budgets rather than by the load generator, so each one's throughput is its budget over its CPU
 * per request, and whatever slows the machine during the seconds of a pair slows both sides.
 */
import { type CpuBudget, cpuBudgets } from '../cpu-budget';
import {
  cpuSeconds,
  cpuSecondsByThread,
  load,
  type LoadOptions,
  type LoadResult,
  median,
  round,
} from '../measure';

export interface MeasuredLoad {
  result: LoadResult;
  /** CPU time (user + system) of the serving process per 2xx response. */
  cpuMicrosPerRequest: number;
  /** The same, of its main thread alone (the rest: GC and compiler threads, the libuv pool). */
  mainThreadCpuMicrosPerRequest: number;
  /** CPUs the serving process used during the run. */
  cpusUsed: number;
}

/** One autocannon run, with the CPU time the serving process `pid` spent during it. */
export async function loadWithCpu(
  pid: number | undefined,
  options: LoadOptions,
): Promise<MeasuredLoad> {
  const before = cpuSeconds(pid);
  const mainBefore = cpuSecondsByThread(pid).MainThread ?? 0;
  const result = await load(options);
  const used = cpuSeconds(pid) - before;
  const mainUsed = (cpuSecondsByThread(pid).MainThread ?? 0) - mainBefore;
  return {
    result,
    cpuMicrosPerRequest: (used / Math.max(result.ok, 1)) * 1e6,
    mainThreadCpuMicrosPerRequest: (mainUsed / Math.max(result.ok, 1)) * 1e6,
    cpusUsed: round(used / (options.seconds ?? 4)),
  };
}

export type Tracer = 'sampled' | 'every';
export type Path = 'jwt' | 'none';
type Side = 'off' | Tracer;
type PairKey = `${Tracer}:${Path}`;

/** Loads one path of one of the three processes (tracing off, 1 in 10, every request). */
export type ReadOf = (side: Side, path: Path) => Promise<MeasuredLoad>;

export interface PairedRounds {
  /** The quota each of the three processes had, in CPUs. */
  cpus: number;
  /** Round by round, each pair: [tracing off, tracing on], measured at the same time. */
  rounds: Array<Record<PairKey, [MeasuredLoad, MeasuredLoad]>>;
  /** Scheduler periods in which each process ran out of its quota, over the measured rounds. */
  throttledPeriods: Record<Side, number>;
}

const PAIRS: Array<[Tracer, Path]> = [
  ['sampled', 'jwt'],
  ['sampled', 'none'],
  ['every', 'jwt'],
  ['every', 'none'],
];

/**
 * CPU seconds each process has used, start-up included, before the pairs begin. A traced process
 * that had served for less than this kept getting faster through the rounds (15:45 UTC run: 1 in
 * 10 / off rose from 0.43x in round 1 to 1.13x in round 8, CPU per request 764 against 529 µs),
 * and a cold side flatters the warm one.
 */
const WARM_UP_CPU_SECONDS = 15;

/**
 * Warms each process without a quota until it has used WARM_UP_CPU_SECONDS, puts each in a
 * cgroup of its own with a quota of `cpus` for the duration, runs one discarded round at the
 * quotas, then `rounds` rounds of the four pairs in rotating order, and hands the processes back
 * to the root group.
 */
export async function pairedRounds(
  pids: Record<Side, number>,
  read: ReadOf,
  { rounds, cpus }: { rounds: number; cpus: number },
): Promise<PairedRounds> {
  for (const side of Object.keys(pids) as Side[]) {
    const until = Date.now() + 60_000;
    while (cpuSeconds(pids[side]) < WARM_UP_CPU_SECONDS && Date.now() < until) {
      await read(side, 'jwt');
      await read(side, 'none');
    }
  }
  const budget = await cpuBudgets(`dja-bench-load-${process.pid}`);
  const groups = {} as Record<Side, CpuBudget>;
  for (const side of Object.keys(pids) as Side[]) {
    groups[side] = await budget(side, cpus);
    await groups[side].add(pids[side]);
  }
  const pair = async ([tracer, path]: [Tracer, Path]) =>
    (await Promise.all([read('off', path), read(tracer, path)])) as [MeasuredLoad, MeasuredLoad];
  try {
    for (const p of PAIRS) await pair(p);
    const throttledBefore = await throttled(groups);
    const measured: PairedRounds['rounds'] = [];
    for (let r = 0; r < rounds; r++) {
      const round = {} as Record<PairKey, [MeasuredLoad, MeasuredLoad]>;
      for (let k = 0; k < PAIRS.length; k++) {
        const p = PAIRS[(r + k) % PAIRS.length]!;
        round[`${p[0]}:${p[1]}`] = await pair(p);
      }
      measured.push(round);
    }
    const throttledAfter = await throttled(groups);
    const throttledPeriods = Object.fromEntries(
      (Object.keys(groups) as Side[]).map((s) => [s, throttledAfter[s] - throttledBefore[s]]),
    ) as Record<Side, number>;
    return { cpus, rounds: measured, throttledPeriods };
  } finally {
    for (const group of Object.values(groups)) await group.remove();
  }
}

async function throttled(groups: Record<Side, CpuBudget>): Promise<Record<Side, number>> {
  const entries = await Promise.all(
    Object.entries(groups).map(async ([side, g]) => [side, await g.throttledPeriods()] as const),
  );
  return Object.fromEntries(entries) as Record<Side, number>;
}

/** Throughput of the traced side over the untraced side of one pair, round by round. */
function pairRatios(paired: PairedRounds, tracer: Tracer, path: Path): number[] {
  return paired.rounds.map(
    (r) => r[`${tracer}:${path}`][1].result.rps / Math.max(r[`${tracer}:${path}`][0].result.rps, 1),
  );
}

/**
 * The auth tax (JWT over no check) with tracing on over the auth tax with tracing off, round by
 * round: (jwt on / no check on) / (jwt off / no check off), which is the JWT pair's ratio over
 * the no-check pair's, each taken at one time.
 */
function authTaxRatios(paired: PairedRounds, tracer: Tracer): number[] {
  const none = pairRatios(paired, tracer, 'none');
  return pairRatios(paired, tracer, 'jwt').map((jwt, i) => round(jwt / none[i]!));
}

/** CPU per request of the traced side over the untraced side's, median over the rounds. */
function cpuRatio(
  paired: PairedRounds,
  tracer: Tracer,
  path: Path,
  of: 'cpuMicrosPerRequest' | 'mainThreadCpuMicrosPerRequest' = 'cpuMicrosPerRequest',
): number {
  return round(
    median(paired.rounds.map((r) => r[`${tracer}:${path}`][1][of] / r[`${tracer}:${path}`][0][of])),
  );
}

/** The results of one side of one pair over the rounds, for the tables. */
export function sideResults(
  paired: PairedRounds,
  tracer: Tracer,
  path: Path,
  side: 0 | 1,
): MeasuredLoad[] {
  return paired.rounds.map((r) => r[`${tracer}:${path}`][side]);
}

/** What the load report takes from the pairs: each ratio, and what the quotas held. */
export function summarizePairs(paired: PairedRounds) {
  const cpusUsed = (tracer: Tracer) => sideResults(paired, tracer, 'jwt', 1).map((m) => m.cpusUsed);
  return {
    // Traced / untraced throughput of the JWT path.
    jwtOnVsOff: round(median(pairRatios(paired, 'every', 'jwt'))),
    jwtSampledVsOff: round(median(pairRatios(paired, 'sampled', 'jwt'))),
    jwtSampledPerRound: pairRatios(paired, 'sampled', 'jwt').map((r) => round(r)),
    // Issue 12's figure: the auth tax with 1 trace in 10 over the auth tax with tracing off.
    authTaxSampledVsOff: round(median(authTaxRatios(paired, 'sampled'))),
    authTaxSampledVsOffPerRound: authTaxRatios(paired, 'sampled'),
    authTaxOnVsOff: round(median(authTaxRatios(paired, 'every'))),
    cpuSampledVsOff: cpuRatio(paired, 'sampled', 'jwt'),
    mainThreadCpuSampledVsOff: cpuRatio(paired, 'sampled', 'jwt', 'mainThreadCpuMicrosPerRequest'),
    /** CPU per request of the untraced process on the JWT path, µs. */
    offCpuMicrosPerRequest: round(
      median(sideResults(paired, 'sampled', 'jwt', 0).map((m) => m.cpuMicrosPerRequest)),
      0,
    ),
    paired: {
      cpus: paired.cpus,
      rounds: paired.rounds.length,
      throttledPeriods: paired.throttledPeriods,
      cpusUsed: {
        off: median(paired.rounds.flatMap((r) => Object.values(r).map(([off]) => off.cpusUsed))),
        sampled: median(cpusUsed('sampled')),
        every: median(cpusUsed('every')),
      },
    },
  };
}
