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
  return memoryParts(replica.pid);
}
