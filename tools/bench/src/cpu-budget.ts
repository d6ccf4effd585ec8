/**
 * A fixed CPU budget for a process, as a cluster's CPU limit gives a pod: a cgroup with a CFS
 * quota (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us` where the v1 cpu controller is mounted),
 * the same mechanism `docker run --cpus` and Kubernetes limits use. Needs root.
 *
 * All groups of one run sit under one parent with a high scheduler weight (`cpu.shares`, or
 * `cpu.weight` on v2): on a cluster, a pod's CPU request reserves its share of a node, while on a
 * shared machine a cgroup competes with every other process as one, and a replica would get less
 * than its budget whenever other work runs. The quotas still cap each budgeted group.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The CFS period of Docker and Kubernetes. */
const DEFAULT_PERIOD_US = 100_000;

interface Hierarchy {
  root: string;
  version: 1 | 2;
}

function findHierarchy(): Hierarchy | undefined {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers'))
    return { root: '/sys/fs/cgroup', version: 2 };
  if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
    return { root: '/sys/fs/cgroup/cpu', version: 1 };
  }
  return undefined;
}

export interface CpuBudget {
  /** The quota in CPUs; undefined for a group with no quota. */
  readonly cpus: number | undefined;
  /** Moves a process (all its threads) into the group; processes it starts later stay in it. */
  add(pid: number): Promise<void>;
  /** Scheduler periods so far in which the budget ran out. */
  throttledPeriods(): Promise<number>;
  remove(): Promise<void>;
}

export interface CpuBudgetOptions {
  /** Scheduler weight of all the run's groups together, in ordinary processes. Default 64. */
  weight?: number;
  /** The CFS period each quota is a share of, in microseconds. Default 100 000. */
  periodUs?: number;
}

/**
 * Creates cgroups under one parent named for this run; throws if none can be written. `cpus`
 * undefined makes a group without a quota, for what runs outside every budget.
 */
export async function cpuBudgets(
  name: string,
  { weight = 64, periodUs = DEFAULT_PERIOD_US }: CpuBudgetOptions = {},
): Promise<(label: string, cpus: number | undefined) => Promise<CpuBudget>> {
  const hierarchy = findHierarchy();
  if (!hierarchy) throw new Error('no cgroup cpu controller found under /sys/fs/cgroup');
  const parent = join(hierarchy.root, name);
  await mkdir(parent, { recursive: true });
  if (hierarchy.version === 2) {
    await writeFile(join(hierarchy.root, 'cgroup.subtree_control'), '+cpu').catch(() => undefined);
    await writeFile(join(parent, 'cgroup.subtree_control'), '+cpu');
    // v2 weights run from 1 to 10 000, 100 for an ordinary process.
    await writeFile(join(parent, 'cpu.weight'), String(Math.min(10_000, weight * 100)));
  } else {
    await writeFile(join(parent, 'cpu.shares'), String(weight * 1024));
  }
  return async (label, cpus) => {
    const dir = join(parent, label);
    await mkdir(dir, { recursive: true });
    if (cpus !== undefined) await setQuota(hierarchy, dir, cpus, periodUs);
    return {
      cpus,
      add: (pid) => writeFile(join(dir, 'cgroup.procs'), String(pid)),
      throttledPeriods: async () => {
        const stat = await readFile(join(dir, 'cpu.stat'), 'utf8');
        return Number(/^nr_throttled (\d+)/m.exec(stat)?.[1] ?? 0);
      },
      remove: async () => {
        // A cgroup can only be removed once empty: hand any process left back to the root.
        const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8'))
          .split('\n')
          .filter(Boolean);
        for (const pid of procs) {
          await writeFile(join(hierarchy.root, 'cgroup.procs'), pid).catch(() => undefined);
        }
        await rmdir(dir).catch(() => undefined);
        await rmdir(parent).catch(() => undefined);
      },
    };
  };
}

async function setQuota(
  hierarchy: Hierarchy,
  dir: string,
  cpus: number,
  periodUs: number,
): Promise<void> {
  const quota = Math.round(cpus * periodUs);
  if (hierarchy.version === 2) await writeFile(join(dir, 'cpu.max'), `${quota} ${periodUs}`);
  else {
    await writeFile(join(dir, 'cpu.cfs_period_us'), String(periodUs));
    await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quota));
  }
}
