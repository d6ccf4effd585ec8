/**
 * npm run bench -- scaling: does throughput grow with orders replicas when each replica has a
 * fixed CPU budget, as it has on a cluster?
 *
 * One local stack; each orders replica runs in a cgroup of its own with a CFS quota of
 * BENCH_REPLICA_CPUS (src/cpu-budget.ts). nginx, PostgreSQL, RabbitMQ, the auth service and the
 * load generator run outside any budget, in a sibling cgroup; the parent of all of them has a high
 * scheduler weight, so that other work on a shared machine does not eat the budgets. `GET /orders` through the gateway with 1, 2 and 3
 * replicas running, in ROUNDS rounds of rotating order; each round's 2- and 3-replica
 * throughput is divided by n times the same round's 1-replica throughput (1.00 = linear).
 * Writes its section of docs/benchmarks.md and docs/bench/scaling.png.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { type Replica, type Stack } from '@dja/stack';
import { log, startBenchStack } from '../src/bench-stack';
import { ApiClient, probe } from '@dja/stack-client';
import { type BenchmarkResult, figure, runBenchmark } from '../src/benchmark';
import type { ChartRow } from '../src/chart';
import { type CpuBudget, cpuBudgets } from '../src/cpu-budget';

type BudgetFactory = Awaited<ReturnType<typeof cpuBudgets>>;
import { writeChart, writeDocsSection } from '../src/docs';
import {
  cpuSeconds,
  cpuSecondsByThread,
  load,
  type LoadResult,
  median,
  medianOf,
  round,
} from '../src/measure';

/**
 * Small enough that three replicas and the work they cause outside their budgets (gateway,
 * database, load generator) leave the two cores of this machine room: at 0.25 CPU they did not
 * (docs/benchmarks.md, "Scaling under a CPU budget").
 */
const REPLICA_CPUS = Number(process.env.BENCH_REPLICA_CPUS ?? 0.15);
/** The CFS period each replica's quota is a share of (Docker's `--cpu-period`). */
const CPU_PERIOD_MS = Number(process.env.BENCH_CPU_PERIOD_MS ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Whole rounds run first and thrown away: the first measurements of a run found the replicas,
 * PostgreSQL, nginx and the load generator itself cold (11:29 run: 153 req/s for one replica in
 * round 1, 275 and 311 in rounds 2 and 3), and a cold baseline flatters every ratio divided by it.
 */
const WARM_UP_ROUNDS = Number(process.env.BENCH_WARM_UP_ROUNDS ?? 1);
/**
 * Connections per running replica: with a fixed total, each added replica gets fewer requests
 * at a time, and a replica at its quota serves them at more CPU each (11:24 run, docs/benchmarks.md).
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** `fail_timeout` of the local gateway's upstream servers (tools/stack/src/gateway.ts). */
const GATEWAY_FAIL_TIMEOUT_MS = 5000;
/** CPU seconds a replica has used, start-up included, before it is measured. */
const WARM_UP_CPU_SECONDS = 3;
const TARGET = 0.85;
const ORDER: number[][] = [
  [1, 2, 3],
  [3, 2, 1],
  [2, 1, 3],
];
const HEADING = '## Scaling under a CPU budget (npm run bench -- scaling)';

interface Measurement {
  replicas: number;
  result: LoadResult;
  /** CPU seconds each running replica used during the run, divided by the run's seconds. */
  cpusUsed: number[];
  throttledPeriods: number;
  /** CPUs the whole machine was busy during the run (everyone's work, not only the stack's). */
  machineCpus: number;
  /** CPU seconds of the running replicas during the run by thread name, summed over replicas. */
  byThread: Record<string, number>;
}

/** The orders replicas, each with its budget; `use(n)` leaves exactly the first n running. */
class BudgetedReplicas {
  private constructor(
    private readonly replicas: Replica[],
    private readonly budgets: CpuBudget[],
  ) {}

  static async create(stack: Stack, budget: BudgetFactory): Promise<BudgetedReplicas> {
    const replicas = stack.replicasOf('orders');
    const budgets = await Promise.all(replicas.map((r) => budget(r.name, REPLICA_CPUS)));
    await Promise.all(replicas.map((r, i) => budgets[i]!.add(r.pid!)));
    return new BudgetedReplicas(replicas, budgets);
  }

  running(n: number): Replica[] {
    return this.replicas.slice(0, n);
  }

  async use(n: number): Promise<void> {
    for (const [i, replica] of this.replicas.entries()) {
      if (i >= n) await replica.stop();
      else if (!replica.isRunning()) {
        await replica.start();
        await this.budgets[i]!.add(replica.pid!);
      }
    }
  }

  throttled(n: number): Promise<number[]> {
    return Promise.all(this.budgets.slice(0, n).map((b) => b.throttledPeriods()));
  }

  async remove(): Promise<void> {
    for (const budget of this.budgets) await budget.remove();
  }
}

async function measure(
  stack: Stack,
  replicas: BudgetedReplicas,
  n: number,
  token: string,
): Promise<Measurement> {
  await replicas.use(n);
  const url = `${stack.gatewayUrl}/orders?limit=10`;
  const headers = { authorization: `Bearer ${token}` };
  // nginx learns of stopped replicas from failed attempts; let it.
  for (let i = 0; i < 30; i++) await probe(url, token);
  // A replica it saw fail gets no request until the gateway's fail_timeout (5 s) has passed;
  // one just restarted would sit idle through the run, and measure as no gain from it.
  await new Promise((resolve) => setTimeout(resolve, GATEWAY_FAIL_TIMEOUT_MS + 1000));
  const running = replicas.running(n);
  // Within its budget a replica just started needs seconds of load before V8 has optimised the
  // request path, and the gateway's round robin holds the others back to the slowest one: warm
  // each directly until it has used WARM_UP_CPU_SECONDS since it started (start-up is about 1),
  // then all through the gateway.
  for (const replica of running) {
    const until = Date.now() + 15_000;
    do {
      await load({ url: `${replica.url}/orders?limit=10`, headers, connections: 4, seconds: 2 });
    } while (cpuSeconds(replica.pid) < WARM_UP_CPU_SECONDS && Date.now() < until);
  }
  await load({ url, headers, connections: CONNECTIONS * n, seconds: 1 });
  const cpuBefore = running.map((r) => cpuSeconds(r.pid));
  const threadsBefore = running.map((r) => cpuSecondsByThread(r.pid));
  const throttledBefore = await replicas.throttled(n);
  const busyBefore = machineBusy();
  const result = await load({ url, headers, connections: CONNECTIONS * n, seconds: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${n} replica(s): ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const busy = machineBusy();
  const throttledAfter = await replicas.throttled(n);
  return {
    replicas: n,
    result,
    cpusUsed: running.map((r, i) => round((cpuSeconds(r.pid) - cpuBefore[i]!) / SECONDS)),
    throttledPeriods: throttledAfter.reduce((sum, t, i) => sum + t - throttledBefore[i]!, 0),
    byThread: threadDeltas(running, threadsBefore),
    machineCpus: round(
      ((busy.busy - busyBefore.busy) / (busy.total - busyBefore.total)) * cpus().length,
    ),
  };
}

function threadDeltas(running: Replica[], before: Array<Record<string, number>>) {
  const total: Record<string, number> = {};
  running.forEach((replica, i) => {
    for (const [name, seconds] of Object.entries(cpuSecondsByThread(replica.pid))) {
      total[name] = round((total[name] ?? 0) + seconds - (before[i]![name] ?? 0));
    }
  });
  return total;
}

/** The share of the replicas' CPU their main threads used (the rest: GC, compiler, pool). */
function mainThreadShare(m: Measurement): number {
  const all = Object.values(m.byThread).reduce((sum, s) => sum + s, 0);
  return round((m.byThread.MainThread ?? 0) / Math.max(all, 0.01));
}

/** CPU milliseconds the running replicas spent per 2xx response, together. */
function cpuPerRequestMs(m: Measurement): number {
  const cpus = m.cpusUsed.reduce((sum, c) => sum + c, 0);
  return round((cpus / Math.max(m.result.rps, 1)) * 1000);
}

/** Jiffies the machine spent busy (all but idle and iowait) and in all, from /proc/stat. */
function machineBusy(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const values = fields.map(Number);
  const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
  return { busy: total - values[3]! - values[4]!, total };
}

function markdown(
  rows: Array<{
    replicas: number;
    result: LoadResult;
    efficiency: number;
    cpusUsed: number;
    cpuPerRequestMs: number;
    mainThreadShare: number;
    throttled: number;
    machineCpus: number;
  }>,
  rounds: Measurement[][],
  met: boolean,
): string {
  return [
    HEADING,
    '',
    `**What is measured.** \`GET /orders?limit=10\` through the nginx gateway (autocannon, ${CONNECTIONS}`,
    `connections per running replica, ${SECONDS} s per run) with 1, 2 and 3 orders replicas running. Each orders replica`,
    `runs in a cgroup of its own with a CPU quota of **${REPLICA_CPUS} CPU** (CFS quota over a ${CPU_PERIOD_MS} ms period, what`,
    '`docker run --cpus` and a Kubernetes CPU limit set); nginx, PostgreSQL, RabbitMQ, the auth',
    'service and the load generator have no budget. All of them, budgeted or not, sit in one',
    'cgroup with the scheduler weight of 64 ordinary processes, so that the other work on this',
    "shared machine cannot take the CPU a budget promises (what a pod's CPU request reserves on a",
    'node); the quotas still cap each replica. Replicas not in use are stopped. Rounds',
    `rotate the order (${ROUNDS} rounds, after ${WARM_UP_ROUNDS} whole round thrown away to warm`,
    "the replicas, PostgreSQL, nginx and the load generator); each round's n-replica throughput is divided by n times",
    "that round's 1-replica throughput, and the median of those ratios is reported.",
    'File: `tools/bench/benchmarks/scaling.bench.ts`.',
    '',
    '![Throughput and latency with 1, 2 and 3 orders replicas](bench/scaling.png)',
    '',
    "| orders replicas | 2xx/s (median) | p50 (ms) | p99 (ms) | CPU used per replica | replicas' CPU per request (ms) | of it, main thread | machine busy (CPUs) | vs n × 1 replica |",
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.replicas} | ${r.result.rps} | ${r.result.p50} | ${r.result.p99} | ${r.cpusUsed} | ${r.cpuPerRequestMs} | ${Math.round(r.mainThreadShare * 100)} % | ${r.machineCpus} | ${r.efficiency.toFixed(2)}x |`,
    ),
    '',
    `Target ≥ ${TARGET}x linear for 2 and 3 replicas: **${met ? 'met' : 'not met'}**.`,
    '',
    '**What limits it.** A replica that uses its whole budget (CPU used per replica close to',
    `${REPLICA_CPUS}, and the kernel throttling it: ${rows.map((r) => `${r.throttled} throttled periods with ${r.replicas}`).join(', ')})`,
    'is limited by its budget, and n such replicas serve n times as much as long as what has no',
    'budget still finds CPU: nginx, PostgreSQL and the load generator spend about as much CPU per',
    'request as the orders replica itself. On a cluster they run elsewhere; here they share the',
    `machine's ${cpus().length} cores with the replicas and with the other engineers' work ("machine busy" is`,
    'all of it, during the measured seconds; load average',
    `${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ', ',
      )} at the end of the run). Even with every replica at its quota and the machine not full, the`,
    'work a replica does per CPU-second at its quota moves from round to round: the next section',
    'has what the runs showed. The replicas share nothing else: verification is local (keys',
    'cached, revocations pushed), so adding one adds no work anywhere but its share of gateway and',
    'PostgreSQL work.',
    '',
    'Per round (2xx/s for 1, 2, 3 replicas): ' +
      rounds
        .map((round) =>
          [1, 2, 3].map((n) => round.find((m) => m.replicas === n)!.result.rps).join(' / '),
        )
        .join('; ') +
      '.',
    '',
  ].join('\n');
}

async function main(): Promise<BenchmarkResult> {
  // This process (the load generator) and all it starts (nginx, PostgreSQL, RabbitMQ, the other
  // services) run outside every budget, in a group of the run's parent; see src/cpu-budget.ts.
  const budget = await cpuBudgets(`dja-bench-scaling-${process.pid}`, {
    periodUs: CPU_PERIOD_MS * 1000,
  });
  const outside = await budget('outside', undefined);
  await outside.add(process.pid);
  try {
    return await measureScaling(budget);
  } finally {
    await outside.remove();
  }
}

async function measureScaling(budget: BudgetFactory): Promise<BenchmarkResult> {
  const stack = await startBenchStack({ auth: 1, orders: 3, profile: 1, notifications: 1 });
  let replicas: BudgetedReplicas | undefined;
  try {
    replicas = await BudgetedReplicas.create(stack, budget);
    const email = `bench-scaling-${Date.now()}@example.com`;
    const password = 'benchmark password 1234';
    const api = new ApiClient(stack.gatewayUrl);
    await api.register({ email, password, name: email.split('@')[0] });
    // Access tokens live 5 minutes and a run takes longer: a fresh one for each measurement.
    const token = async () => (await api.login({ email, password })).access_token;

    const rounds: Measurement[][] = [];
    for (let r = -WARM_UP_ROUNDS; r < ROUNDS; r++) {
      const round: Measurement[] = [];
      const label = r < 0 ? 'warm-up round (discarded)' : `round ${r + 1}`;
      for (const n of ORDER[(r + ORDER.length) % ORDER.length]!) {
        const m = await measure(stack, replicas, n, await token());
        log(
          `${label}, ${n} replica(s): ${m.result.rps}/s, CPU ${m.cpusUsed.join(', ')}, by thread ${JSON.stringify(m.byThread)}, machine busy ${m.machineCpus} CPUs`,
        );
        round.push(m);
      }
      if (r >= 0) rounds.push(round);
    }
    const of = (round: Measurement[], n: number) => round.find((m) => m.replicas === n)!;
    const efficiency = (n: number) =>
      round(
        median(rounds.map((r) => of(r, n).result.rps / (n * Math.max(of(r, 1).result.rps, 1)))),
      );
    const rows = [1, 2, 3].map((n) => ({
      replicas: n,
      result: medianOf(rounds.map((r) => of(r, n).result)),
      efficiency: n === 1 ? 1 : efficiency(n),
      cpusUsed: median(rounds.flatMap((r) => of(r, n).cpusUsed)),
      cpuPerRequestMs: median(rounds.map((r) => cpuPerRequestMs(of(r, n)))),
      mainThreadShare: median(rounds.map((r) => mainThreadShare(of(r, n)))),
      throttled: median(rounds.map((r) => of(r, n).throttledPeriods)),
      machineCpus: median(rounds.map((r) => of(r, n).machineCpus)),
    }));
    const figures = [
      ...[2, 3].map((n) =>
        figure({
          key: `linear${n}`,
          label: `${n} orders replicas at ${REPLICA_CPUS} CPU each`,
          value: efficiency(n),
          unit: 'x',
          judgedBy: `${n} × 1 replica`,
          target: { atLeast: TARGET },
        }),
      ),
      ...rows.map((r) =>
        figure({
          key: `rps${r.replicas}`,
          label: `GET /orders via gateway, ${r.replicas} replica(s)`,
          value: r.result.rps,
          unit: 'req/s',
        }),
      ),
    ];
    const chart: ChartRow[] = rows.map((r) => ({
      label: `${r.replicas} orders replica(s), ${REPLICA_CPUS} CPU each`,
      rps: r.result.rps,
      p50: r.result.p50,
      p99: r.result.p99,
    }));
    await writeDocsSection(
      HEADING,
      markdown(
        rows,
        rounds,
        figures.slice(0, 2).every((f) => f.met),
      ),
    );
    await writeChart(
      'scaling',
      'npm run bench -- scaling: orders replicas under a CPU budget',
      chart,
    );
    return {
      benchmark: 'scaling',
      figures,
      details: {
        replicaCpus: REPLICA_CPUS,
        seconds: SECONDS,
        connections: CONNECTIONS,
        rows,
        rounds,
      },
    };
  } finally {
    await stack.stop();
    await replicas?.remove();
  }
}

runBenchmark(main);
