/**
 * npm run bench -- footprint: what one replica of each service costs to keep and to start.
 *
 * One local stack with one replica per service (PostgreSQL, RabbitMQ and the gateway up). Each
 * replica in turn is stopped and started STARTS times, each start timed from spawning the
 * process to the first `/readyz` 200 (polled every 5 ms), and the CPU time the process used by
 * then, which other load on the machine does not inflate. After its last start it is left idle
 * for a few seconds and its resident memory is read from /proc, split into anonymous memory
 * (heaps, thread stacks, allocations) and file-backed pages (node itself, mapped libraries).
 */
import { type Replica, type ServiceName, SERVICES } from '@dja/stack';
import { log, startBenchStack } from '../src/bench-stack';
import { type BenchmarkResult, type Figure, figure, runBenchmark } from '../src/benchmark';
import { idleMemory, type MemoryParts, timedStart } from '../src/footprint';
import { median } from '../src/measure';

const STARTS = Number(process.env.BENCH_STARTS ?? 10);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 5);
const TARGETS: Record<ServiceName, { readyMs: number; idleMiB: number }> = {
  auth: { readyMs: 2000, idleMiB: 150 },
  orders: { readyMs: 1000, idleMiB: 100 },
  profile: { readyMs: 1000, idleMiB: 100 },
  notifications: { readyMs: 1000, idleMiB: 100 },
};

interface ServiceFootprint {
  service: ServiceName;
  startsMs: number[];
  medianMs: number;
  maxMs: number;
  /** CPU time the process used until it was ready: what start-up costs on an idle machine. */
  cpuToReadyMs: number[];
  idle: MemoryParts | undefined;
}

async function measureService(replica: Replica): Promise<ServiceFootprint> {
  const startsMs: number[] = [];
  const cpuToReadyMs: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    await replica.stop();
    const start = await timedStart(replica);
    startsMs.push(start.readyMs);
    cpuToReadyMs.push(start.cpuToReadyMs);
  }
  return {
    service: replica.service,
    startsMs,
    medianMs: median(startsMs),
    maxMs: Math.max(...startsMs),
    cpuToReadyMs,
    idle: await idleMemory(replica, IDLE_SECONDS),
  };
}

function figures(measured: ServiceFootprint[]): Figure[] {
  return measured.flatMap(({ service, medianMs, maxMs, cpuToReadyMs, idle }) => {
    const app = SERVICES[service].app;
    const target = TARGETS[service];
    return [
      figure({
        key: `${service}ReadyMedianMs`,
        label: `${app} start → /readyz 200, median of ${STARTS}`,
        value: medianMs,
        unit: 'ms',
        target: { atMost: target.readyMs },
      }),
      figure({
        key: `${service}ReadyMaxMs`,
        label: `${app} start → /readyz 200, max of ${STARTS}`,
        value: maxMs,
        unit: 'ms',
        target: { atMost: target.readyMs },
      }),
      figure({
        key: `${service}CpuToReadyMs`,
        label: `${app} CPU time until ready, median`,
        value: median(cpuToReadyMs),
        unit: 'ms',
      }),
      figure({
        key: `${service}IdleMiB`,
        label: `${app} RSS idle`,
        value: idle?.rssMiB ?? Number.NaN,
        unit: 'MiB',
        target: { atMost: target.idleMiB },
      }),
    ];
  });
}

async function main(): Promise<BenchmarkResult> {
  const stack = await startBenchStack({ auth: 1, orders: 1, profile: 1, notifications: 1 });
  try {
    const measured: ServiceFootprint[] = [];
    for (const replica of stack.replicas) {
      log(`${replica.name}: ${STARTS} starts…`);
      const result = await measureService(replica);
      log(
        `${replica.name}: start → ready median ${result.medianMs} ms, max ${result.maxMs} ms; idle ${JSON.stringify(result.idle)}`,
      );
      measured.push(result);
    }
    return {
      benchmark: 'footprint',
      figures: figures(measured),
      details: { starts: STARTS, idleSeconds: IDLE_SECONDS, services: measured },
    };
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
