import { Worker } from 'node:worker_threads';

export interface SyncRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface SyncResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  durationMs: number;
  error?: string;
}

// The worker runs fetch on its own event loop; the caller blocks on Atomics.wait until the
// worker has written the answer into shared memory. That gives k6's synchronous http API.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { control, data } = workerData;
parentPort.on('message', async (request) => {
  let result;
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(60000),
    });
    const body = await response.text();
    result = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    result = { status: 0, headers: {}, body: '', durationMs: performance.now() - started, error: String(error) };
  }
  let bytes = new TextEncoder().encode(JSON.stringify(result));
  if (bytes.length > data.length) {
    const small = JSON.stringify({ ...result, body: '', error: 'response too large for the shim' });
    bytes = new TextEncoder().encode(small);
  }
  data.set(bytes);
  Atomics.store(control, 1, bytes.length);
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
});
`;

const control = new Int32Array(new SharedArrayBuffer(8));
const data = new Uint8Array(new SharedArrayBuffer(16 * 1024 * 1024));
let worker: Worker | undefined;

/** fetch, blocking the calling thread until the answer is in. */
export function fetchSync(request: SyncRequest): SyncResponse {
  worker ??= new Worker(WORKER, {
    eval: true,
    workerData: { control, data },
  });
  worker.unref();
  Atomics.store(control, 0, 0);
  worker.postMessage(request);
  if (Atomics.wait(control, 0, 0, 70_000) === 'timed-out') {
    throw new Error(`k6 shim: no answer from ${request.method} ${request.url}`);
  }
  const length = Atomics.load(control, 1);
  return JSON.parse(new TextDecoder().decode(data.slice(0, length))) as SyncResponse;
}
