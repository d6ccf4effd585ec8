import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type * as Argon2 from '@node-rs/argon2';
import type { PasswordJob, PasswordWorkerData, WorkerMessage } from './password-threads';

/**
 * What each password thread runs; PasswordThreads starts it. Hashing is synchronous here: these
 * threads exist to do it, and it keeps the work on the thread whose priority was lowered (the
 * async API would hand it to the libuv pool, shared with everything else).
 */
const { argon2Path, nice } = workerData as PasswordWorkerData;
if (!parentPort) throw new Error('password-worker runs only as a worker thread');
const port = parentPort;
const send = (message: WorkerMessage) => port.postMessage(message);

// Loaded from the path the main thread resolved, so both use the same copy of argon2.
const argon2 = createRequire(__filename)(argon2Path) as typeof Argon2;

send({ started: true, nice: lowerPriority(nice) });
port.on('message', (job: PasswordJob) => {
  try {
    const value =
      job.op === 'hash'
        ? argon2.hashSync(job.password, job.parameters as Argon2.Options)
        : argon2.verifySync(job.hash, job.password);
    send({ id: job.id, value });
  } catch (error) {
    send({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});

/**
 * Sets this thread's nice value and returns the one in force (null where it cannot be read). On
 * Linux the nice value is per thread, and /proc/thread-self names the calling one.
 */
function lowerPriority(value: number): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, value);
    return getPriority(tid);
  } catch {
    return null;
  }
}
