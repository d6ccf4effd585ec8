import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@dja/test-infra';
import { SERVICE_NAMES, SERVICES, type ServiceName } from './topology';

const ROOT = join(__dirname, '../../..');

/**
 * The flags every service process runs with, here and in the image (the Dockerfile's CMD, which
 * compose and Kubernetes use; infra/test/dockerfile.test.ts checks they agree).
 * `--max-semi-space-size=8`: V8 sizes the young generation from the heap limit (4 GiB on a big
 * host) and under load grew it to most of a replica's peak; capped at 8 MiB per semi-space the
 * peak falls by tens of MiB, for no CPU per request measurable side by side (docs/benchmarks.md,
 * "Footprint"). No `--enable-source-maps`: the bundles carry their packages, and mapping one
 * stack trace made Node parse the whole map, 16 MiB of heap and 300 ms per process. The maps stay
 * beside each bundle for `node --enable-source-maps` when debugging.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Flags for one run on top of NODE_FLAGS, from STACK_NODE_FLAGS, for every service process the
 * stack and the benchmarks start: `STACK_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`
 * profiles each one (each writes its profile when it stops).
 */
export function runFlags(): string[] {
  return (process.env.STACK_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

export interface ReplicaSpec {
  app: string;
  id: string;
  port: number;
  /** `/healthz`, `/readyz` and `/metrics`: what Prometheus scrapes, never behind the gateway. */
  operationsPort: number;
  env: Record<string, string>;
  logFile: string;
  /** The node binary that runs the bundle; this process's own by default. */
  node?: string;
}

/**
 * One replica of a service: a Node process running the service's bundle, its output in a log
 * file. It can be stopped (SIGTERM, graceful) or killed (SIGKILL) and started again on the same
 * port, which the fault tests need.
 */
export class Replica {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: ReplicaSpec) {}

  get name(): string {
    return `${this.spec.app}-${this.spec.id}`;
  }

  /** The service this replica belongs to, e.g. `orders` for `orders-service`. */
  get service(): ServiceName {
    const service = SERVICE_NAMES.find((name) => SERVICES[name].app === this.spec.app);
    if (!service) throw new Error(`${this.spec.app} is not a service of the topology`);
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** The replica's operations listener. */
  get operationsUrl(): string {
    return `http://127.0.0.1:${this.spec.operationsPort}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /**
   * Starts the process and resolves once `/readyz` answers 200. `readyPollMs` is how often it
   * asks; the start-to-ready benchmark asks often, so that the figure is not the polling interval.
   */
  async start({ timeoutMs = 60_000, readyPollMs = 100 } = {}): Promise<void> {
    const { app, env, logFile, node = process.execPath } = this.spec;
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(
      node,
      [...NODE_FLAGS, ...runFlags(), join(ROOT, 'dist/apps', app, 'main.js')],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
          }
          const response = await fetch(`${this.operationsUrl}/readyz`).catch(() => undefined);
          return response?.status === 200;
        },
        { timeoutMs, intervalMs: readyPollMs, description: `${this.name} to be ready` },
      );
    } catch (error) {
      await this.kill();
      throw new Error(
        `${this.name} failed to start: ${(error as Error).message}\n${await this.logTail()}`,
      );
    }
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.isRunning()) return;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: no chance to drain. */
  async kill(): Promise<void> {
    if (!this.isRunning()) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  async logTail(lines = 30): Promise<string> {
    const text = await readFile(this.spec.logFile, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }
}
