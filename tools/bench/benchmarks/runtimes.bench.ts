/**
 * npm run bench -- runtimes: the project's Node.js 24 against Node.js 20 (the previous LTS, out
 * of support since April 2026), interleaved in one run so that both share the same minutes of a
 * shared machine. Node.js 24 is this process's own; Node.js 20 is BENCH_PREVIOUS_NODE, or is
 * fetched into `.tools/node20` (src/node-binaries.ts).
 *
 * 1. `verify` and `revocation-memory`, each run ROUNDS times under each binary, in turn.
 * 2. One local stack, one replica per service, on Node.js 24. Each service in turn: its replica
 *    is stopped, and the same bundle, on the same ports with the same environment, is started
 *    STARTS times on each binary in turn: start to ready and CPU until ready (src/footprint.ts);
 *    after the last start on each, idle memory.
 * 3. Its auth replica replaced in the same way, ROUNDS times on each binary in turn: refresh
 *    grants per CPU-second of the auth process, as the load benchmark counts them, after a warm-up
 *    of WARM_UP_CPU_SECONDS of the process's CPU time.
 *
 * Each figure is Node.js 24 / Node.js 20, the median of the ratios of pairs taken one after the
 * other; both medians are in the details and in the table on stderr.
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Replica, SERVICE_NAMES, SERVICES, type ServiceName, type Stack } from '@dja/stack';
import { log, startBenchStack } from '../src/bench-stack';
import { type BenchmarkResult, type Figure, figure, runBenchmark } from '../src/benchmark';
import { runBenchmarkProcess } from '../src/benchmark-process';
import { idleMemory, timedStart } from '../src/footprint';
import { ApiClient } from '@dja/stack-client';
import { refreshChain } from '../src/load/refresh-chain';
import { cpuSeconds, load, median, round } from '../src/measure';
import { type Runtime, previousRuntime, runtimeOf } from '../src/node-binaries';
import type { BenchmarkName } from '../src/registry';

const ROUNDS = Number(process.env.BENCH_RUNTIME_ROUNDS ?? 3);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
const REFRESH_SECONDS = 3;
const WARM_UP_CPU_SECONDS = 4;
const CONNECTIONS = 16;
const PASSWORD = 'benchmark password 1234';
/** What each in-process benchmark runs with, and which of its figures are compared. */
const IN_PROCESS = {
  verify: {
    env: { BENCH_ROUNDS: '3', BENCH_SECONDS: '0.5' },
    keys: ['uncachedC1', 'uncachedC64', 'cachedC1', 'cachedC64', 'uncachedC1PerCpu'],
  },
  'revocation-memory': { env: {}, keys: undefined },
} satisfies Partial<Record<BenchmarkName, { env: NodeJS.ProcessEnv; keys?: string[] }>>;

/** 0 is Node.js 20, 1 is Node.js 24. */
type Side = 0 | 1;

/** Alternates which binary goes first, so that neither always follows the other. */
const inTurn = (round: number): Side[] => (round % 2 === 0 ? [0, 1] : [1, 0]);

interface Compared {
  key: string;
  label: string;
  unit: string;
  /** Values on each binary, in the order taken: the i-th of each form a pair. */
  values: [number[], number[]];
}

class Comparisons {
  private readonly byKey = new Map<string, Compared>();
  /** What could not be measured on a binary, and why (a service that refuses to start on it). */
  readonly notMeasured: string[] = [];
  /** Grants per CPU-second of each warm-up run before each measured one. */
  readonly refreshWarmUps: Array<{ node: string; perCpuSecond: number[] }> = [];

  add(side: Side, key: string, label: string, unit: string, value: number): void {
    const compared = this.byKey.get(key) ?? { key, label, unit, values: [[], []] };
    compared.values[side].push(value);
    this.byKey.set(key, compared);
  }

  summaries() {
    return [...this.byKey.values()].map(({ key, label, unit, values: [previous, current] }) => {
      const pairs = Math.min(previous.length, current.length);
      const ratios = current.slice(0, pairs).map((value, i) => value / previous[i]!);
      return {
        key,
        label,
        unit,
        previous: previous.length > 0 ? median(previous) : Number.NaN,
        current: current.length > 0 ? median(current) : Number.NaN,
        ratio: pairs > 0 ? round(median(ratios)) : Number.NaN,
        values: { previous, current },
      };
    });
  }
}

async function inProcessBenchmarks(runtimes: Runtime[], compared: Comparisons): Promise<void> {
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, { env, keys }] of Object.entries(IN_PROCESS)) {
      for (const side of inTurn(i)) {
        log(`round ${i + 1}: ${name} on Node.js ${runtimes[side]!.version}`);
        const result = await runBenchmarkProcess(name as BenchmarkName, {
          node: runtimes[side]!.node,
          env,
        });
        for (const f of result.figures.filter((f) => !keys || keys.includes(f.key))) {
          compared.add(side, `${name}.${f.key}`, `${name}: ${f.label}`, f.unit, f.value);
        }
      }
    }
  }
}

/** The stack's replica of a service, on another binary, with its own log file. */
function replicaOn(replica: Replica, runtime: Runtime): Replica {
  const { spec } = replica;
  const logFile = join(dirname(spec.logFile), `${spec.app}-${spec.id}-node${runtime.major}.log`);
  return new Replica({ ...spec, node: runtime.node, logFile });
}

/**
 * Runs `measure` with the stack's replica of `service` replaced by one on each binary, then puts
 * the stack's own back.
 */
async function onBothRuntimes(
  stack: Stack,
  service: ServiceName,
  runtimes: Runtime[],
  measure: (replicas: Replica[], runtimes: Runtime[]) => Promise<void>,
): Promise<void> {
  const replica = stack.replicasOf(service)[0]!;
  const replicas = runtimes.map((runtime) => replicaOn(replica, runtime));
  await replica.stop();
  try {
    await measure(replicas, runtimes);
  } finally {
    for (const other of replicas) await other.stop();
    await replica.start();
  }
}

/**
 * Start to ready and idle memory of one service on each binary. A binary the service refuses to
 * start on is noted and left out; the other is still measured.
 */
async function serviceFootprint(
  replicas: Replica[],
  runtimes: Runtime[],
  service: ServiceName,
  compared: Comparisons,
): Promise<void> {
  const app = SERVICES[service].app;
  const refused = new Set<Side>();
  for (let i = 0; i < STARTS; i++) {
    for (const side of inTurn(i).filter((s) => !refused.has(s))) {
      const replica = replicas[side]!;
      const start = await timedStart(replica).catch((error: unknown) => {
        refused.add(side);
        const first = (error as Error).message.split('\n')[0];
        compared.notMeasured.push(`${app} on Node.js ${runtimes[side]!.version}: ${first}`);
        log(
          `${app} refused to start on Node.js ${runtimes[side]!.version}:\n${(error as Error).message}`,
        );
      });
      if (!start) continue;
      const { readyMs, cpuToReadyMs } = start;
      compared.add(side, `${service}.readyMs`, `${app} start → /readyz 200`, 'ms', readyMs);
      compared.add(side, `${service}.cpuToReadyMs`, `${app} CPU until ready`, 'ms', cpuToReadyMs);
      if (i === STARTS - 1) {
        const idle = await idleMemory(replica, IDLE_SECONDS);
        compared.add(
          side,
          `${service}.rssMiB`,
          `${app} RSS idle`,
          'MiB',
          idle?.rssMiB ?? Number.NaN,
        );
        compared.add(
          side,
          `${service}.anonymousMiB`,
          `${app} RSS idle, anonymous`,
          'MiB',
          idle?.anonymousMiB ?? Number.NaN,
        );
      }
      await replica.stop();
    }
  }
}

/** Refresh grants per CPU-second of the auth process, ROUNDS starts on each binary in turn. */
async function refreshGrants(
  replicas: Replica[],
  runtimes: Runtime[],
  email: string,
  compared: Comparisons,
): Promise<void> {
  const grants = async (replica: Replica, seconds: number) => {
    // autocannon builds each connection's next request and never sends it: fresh sessions per run.
    const queue: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      queue.push(
        (await ApiClient.ofAuthReplica(replica.url).login({ email, password: PASSWORD }))
          .refresh_token,
      );
    }
    const cpu = cpuSeconds(replica.pid);
    const result = await load({
      url: replica.url,
      connections: CONNECTIONS,
      seconds,
      requests: [refreshChain(queue)],
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`refresh grants failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
    return result.ok / (cpuSeconds(replica.pid) - cpu);
  };
  for (let i = 0; i < ROUNDS; i++) {
    for (const side of inTurn(i)) {
      const replica = replicas[side]!;
      await replica.start();
      // Until V8 has optimised the grant's path, each grant costs up to 1.5x more (load.bench.ts).
      // The warm-up is CPU time of the process, not seconds: on a busy machine a few seconds may
      // give it little of a core.
      const started = cpuSeconds(replica.pid);
      const warmUp: number[] = [];
      while (cpuSeconds(replica.pid) - started < WARM_UP_CPU_SECONDS && warmUp.length < 15) {
        warmUp.push(round(await grants(replica, 2), 0));
      }
      const perCpuSecond = round(await grants(replica, REFRESH_SECONDS), 0);
      log(
        `round ${i + 1}: Node.js ${runtimes[side]!.version}, ${perCpuSecond} grants per CPU-second (warm-up: ${warmUp.join(', ')})`,
      );
      compared.refreshWarmUps.push({ node: runtimes[side]!.version, perCpuSecond: warmUp });
      compared.add(
        side,
        'auth.refreshPerCpuSecond',
        'refresh grants per auth CPU-second',
        '/s',
        perCpuSecond,
      );
      await replica.stop();
    }
  }
}

async function stackBenchmarks(runtimes: Runtime[], compared: Comparisons): Promise<void> {
  const stack = await startBenchStack({ auth: 1, orders: 1, profile: 1, notifications: 1 });
  try {
    for (const service of SERVICE_NAMES) {
      log(`${service}: ${STARTS} starts on each binary…`);
      await onBothRuntimes(stack, service, runtimes, (replicas) =>
        serviceFootprint(replicas, runtimes, service, compared),
      );
    }
    log('refresh grants…');
    const email = `bench-runtimes-${Date.now()}@example.com`;
    await new ApiClient(stack.gatewayUrl).register({
      email,
      password: PASSWORD,
      name: email.split('@')[0],
    });
    await onBothRuntimes(stack, 'auth', runtimes, (replicas) =>
      refreshGrants(replicas, runtimes, email, compared),
    );
  } finally {
    await stack.stop();
  }
}

function printTable(runtimes: Runtime[], rows: ReturnType<Comparisons['summaries']>): void {
  log(`| figure | Node.js ${runtimes[0]!.version} | Node.js ${runtimes[1]!.version} | 24 / 20 |`);
  log('| --- | ---: | ---: | ---: |');
  for (const row of rows) {
    const value = (v: number) => `${round(v)} ${row.unit}`;
    log(`| ${row.label} | ${value(row.previous)} | ${value(row.current)} | ${row.ratio}x |`);
  }
}

async function main(): Promise<BenchmarkResult> {
  const loadAverageBefore = loadavg().map((l) => round(l, 1));
  const runtimes = [await previousRuntime(log), await runtimeOf(process.execPath)];
  log(`Node.js ${runtimes[0]!.version} against ${runtimes[1]!.version}, load ${loadAverageBefore}`);
  const compared = new Comparisons();
  await inProcessBenchmarks(runtimes, compared);
  await stackBenchmarks(runtimes, compared);
  const rows = compared.summaries();
  printTable(runtimes, rows);
  const figures: Figure[] = rows
    .filter((row) => !row.key.endsWith('anonymousMiB'))
    .map((row) =>
      figure({
        key: row.key,
        label: `${row.label}, Node.js 24 / 20`,
        value: row.ratio,
        unit: 'x',
        judgedBy: `Node.js ${runtimes[0]!.version} in the same run`,
      }),
    );
  return {
    benchmark: 'runtimes',
    figures,
    details: {
      runtimes: runtimes.map(({ version }) => version),
      rounds: ROUNDS,
      starts: STARTS,
      idleSeconds: IDLE_SECONDS,
      loadAverage: { before: loadAverageBefore, after: loadavg().map((l) => round(l, 1)) },
      notMeasured: compared.notMeasured,
      refreshWarmUps: compared.refreshWarmUps,
      compared: rows,
    },
  };
}

runBenchmark(main);
