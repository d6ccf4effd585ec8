/**
 * What one service process costs to start and to keep: the measurements of the footprint
 * benchmark, which the runtimes benchmark takes too, for replicas on two Node.js binaries.
 */
import { readFileSync } from 'node:fs';
import type { Replica } from '@dja/stack';
import { cpuSeconds, round, rssMiB } from './measure';

/** Resident memory by kind, MiB, from /proc/<pid>/smaps_rollup and /proc/<pid>/status. */
export interface MemoryParts {
  rssMiB: number;
  anonymousMiB: number;
  fileMiB: number;
  threads: number;
  /** The main thread's V8 heap as the replica's own /metrics reports it, when it answers. */
  heap?: HeapParts;
}

/** MiB, from prom-client's default metrics (process.memoryUsage() and V8's heap spaces). */
export interface HeapParts {
  /** Reserved by V8 for the main thread's heap: every space's size. */
  totalMiB: number;
  usedMiB: number;
  /** The young generation's reservation (both semi-spaces). */
  newSpaceMiB: number;
  oldSpaceMiB: number;
  /** Memory of ArrayBuffers, Buffers and WebAssembly memories held by JS objects. */
  externalMiB: number;
}

export function memoryParts(pid: number | undefined): MemoryParts | undefined {
  const rss = rssMiB(pid);
  if (pid === undefined || rss === undefined) return undefined;
  const field = (text: string, name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMiB: rss,
    anonymousMiB: round(field(status, 'RssAnon') / 1024, 1),
    fileMiB: round((field(status, 'RssFile') + field(status, 'RssShmem')) / 1024, 1),
    threads: field(status, 'Threads') || field(rollup, 'Threads'),
  };
}

export interface TimedStart {
  /** From spawning the process to the first `/readyz` 200 (polled every 5 ms). */
  readyMs: number;
  /** CPU time the process used until then: what start-up costs, however busy the machine. */
  cpuToReadyMs: number;
}

/** Starts a stopped replica and times it until ready. */
export async function timedStart(replica: Replica): Promise<TimedStart> {
  const started = performance.now();
  await replica.start({ readyPollMs: 5 });
  return {
    readyMs: round(performance.now() - started, 0),
    cpuToReadyMs: round(cpuSeconds(replica.pid) * 1000, 0),
  };
}

/** Leaves a running replica idle for `seconds`, then reads its memory. */
export async function idleMemory(
  replica: Replica,
  seconds: number,
): Promise<MemoryParts | undefined> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const parts = memoryParts(replica.pid);
  const heap = await heapParts(replica.operationsUrl);
  return parts && { ...parts, ...(heap ? { heap } : {}) };
}

/** The heap figures of a replica's Prometheus metrics (nodejs_* default metrics). */
export async function heapParts(operationsUrl: string): Promise<HeapParts | undefined> {
  const response = await fetch(`${operationsUrl}/metrics`).catch(() => undefined);
  if (!response?.ok) return undefined;
  const text = await response.text();
  const value = (name: string, space?: string) => {
    const labels = space ? `\\{[^}]*space="${space}"[^}]*\\}` : '(?:\\{[^}]*\\})?';
    const match = new RegExp(`^${name}${labels} (\\S+)$`, 'm').exec(text);
    return round(Number(match?.[1] ?? Number.NaN) / 1024 / 1024, 1);
  };
  return {
    totalMiB: value('nodejs_heap_size_total_bytes'),
    usedMiB: value('nodejs_heap_size_used_bytes'),
    newSpaceMiB: value('nodejs_heap_space_size_total_bytes', 'new'),
    oldSpaceMiB: value('nodejs_heap_space_size_total_bytes', 'old'),
    externalMiB: value('nodejs_external_memory_bytes'),
  };
}
