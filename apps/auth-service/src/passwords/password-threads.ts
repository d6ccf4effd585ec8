import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { serviceUnavailable } from '@dja/http';

type Job =
  | { op: 'hash'; password: string; parameters: object }
  | { op: 'verify'; hash: string; password: string };

/** A job as the worker receives it (password-worker.ts). */
export type PasswordJob = Job & { id: number };

/** What the worker is started with. */
export interface PasswordWorkerData {
  /** Where @node-rs/argon2 is loaded from: the copy the main thread resolved. */
  argon2Path: string;
  nice: number;
}

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

/** What the worker answers: once that it started, then one message per job. */
export type WorkerMessage =
  | { started: true; nice: number | null }
  | { id: number; value: string | boolean; error?: undefined }
  | { id: number; error: string };

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  started: boolean;
}

export interface PasswordThreadsOptions {
  /** Threads that hash passwords; each hash occupies one of them. */
  threads: number;
  /**
   * Their nice value (Linux). 0 competes with request serving as equals; 19 lets hashing use
   * only the CPU that serving leaves, so a burst of logins cannot slow down token-verifying
   * routes on the same host. Elsewhere the threads keep the process's priority.
   */
  nice: number;
  /** Hashes waiting for a thread beyond this are refused with 503 instead of queueing forever. */
  maxQueued: number;
  logger: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** Where @node-rs/argon2 is loaded from; resolved from here by default. */
  argon2Path?: string;
}

/**
 * argon2 on dedicated, lower-priority worker threads. A login costs tens of milliseconds of CPU
 * by design; on the libuv pool at normal priority a few concurrent logins take every core from
 * the event loops serving requests, which is what `npm run bench -- load` measured (docs/benchmarks.md).
 */
export class PasswordThreads {
  private readonly threads: Thread[] = [];
  private readonly argon2: string;
  private nextId = 0;
  private closed = false;
  private warned = false;
  /** Set when a thread died before it could take work: restarting it would only loop. */
  private broken = false;

  constructor(private readonly options: PasswordThreadsOptions) {
    this.argon2 = options.argon2Path ?? require.resolve('@node-rs/argon2');
    for (let i = 0; i < options.threads; i++) this.threads.push(this.start());
  }

  hash(password: string, parameters: object): Promise<string> {
    return this.run({ op: 'hash', password, parameters }) as Promise<string>;
  }

  /** Rejects when `hash` is not a valid argon2 PHC string. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.run({ op: 'verify', hash, password }) as Promise<boolean>;
  }

  /** Hashes waiting for a free thread (beyond the one running on each). */
  get queueDepth(): number {
    return this.threads.reduce((n, t) => n + Math.max(0, t.pending.size - 1), 0);
  }

  /** Jobs still waiting are rejected; the threads stop. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
  }

  private run(job: Job): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('password threads are closed'));
    if (this.broken) return Promise.reject(serviceUnavailable('Passwords cannot be checked.'));
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    // One job per thread runs; the rest wait in the thread's message queue.
    if (thread.pending.size > 0 && this.queueDepth >= this.options.maxQueued) {
      return Promise.reject(serviceUnavailable('Too many sign-ins at once; try again shortly.'));
    }
    const id = this.nextId++;
    if (thread.pending.size === 0) thread.worker.ref();
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, ...job });
    });
  }

  private start(): Thread {
    const worker = startWorker({ argon2Path: this.argon2, nice: this.options.nice });
    const thread: Thread = { worker, pending: new Map(), started: false };
    worker.on('message', (message: WorkerMessage) => {
      if ('started' in message) {
        thread.started = true;
        return this.checkPriority(message.nice);
      }
      const pending = thread.pending.get(message.id);
      thread.pending.delete(message.id);
      if (thread.pending.size === 0) worker.unref();
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.value);
    });
    worker.on('error', (error) => {
      this.options.logger.error({ err: error.message }, 'password hashing thread failed');
    });
    worker.on('exit', () => {
      for (const { reject } of thread.pending.values()) {
        reject(serviceUnavailable('A password hashing thread stopped; try again.'));
      }
      thread.pending.clear();
      if (this.closed) return;
      if (thread.started) this.threads[this.threads.indexOf(thread)] = this.start();
      else this.broken = true;
    });
    // Idle threads never keep the process alive (a service that failed to start need not close
    // them); busy ones do, until their jobs are answered. Last: adding listeners refs again.
    worker.unref();
    return thread;
  }

  private checkPriority(nice: number | null): void {
    if (nice === this.options.nice || this.warned) return;
    this.warned = true;
    this.options.logger.warn(
      { wanted: this.options.nice, actual: nice },
      'password hashing threads run without the configured nice value',
    );
  }
}

/**
 * Starts password-worker.ts on a thread: bundled next to main.js in dist (the app's build emits
 * it), or compiled by tsx as it loads when the service runs from its TypeScript sources (Jest,
 * `tsx src/main.ts`).
 */
function startWorker(workerData: PasswordWorkerData): Worker {
  const bundled = join(__dirname, 'password-worker.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  const tsx = JSON.stringify(require.resolve('tsx/cjs/api'));
  const source = JSON.stringify(join(__dirname, 'password-worker.ts'));
  return new Worker(`require(${tsx}).register(); require(${source});`, {
    eval: true,
    workerData,
  });
}
