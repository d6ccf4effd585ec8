import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';

/**
 * A request exactly as a test crafts it. Headers are a list, so the same name may appear twice
 * (fetch would merge them into one line) and values may hold bytes fetch refuses.
 */
export interface RawRequest {
  method?: string;
  /** Path and query, e.g. `/orders?access_token=...`. */
  path: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
  /**
   * The loopback address to send from (e.g. `127.0.0.2`), so that a test can be a client of its
   * own that no other test's requests count against.
   */
  localAddress?: string;
}

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The socket error when `status` is 0. */
  error?: string;
  /** Milliseconds from sending to the end of the body. */
  elapsedMs: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** Sends one request with node:http; never throws for an HTTP status or a closed connection. */
export function send(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(new URL(raw.path, baseUrl), {
      method: raw.method ?? 'GET',
      // A socket of the shared agent may come from another address: its own connection then.
      ...(raw.localAddress ? { localAddress: raw.localAddress, agent: false } : { agent }),
      timeout: 30_000,
    });
    const grouped = new Map<string, string[]>();
    for (const [name, value] of raw.headers ?? []) {
      grouped.set(name, [...(grouped.get(name) ?? []), value]);
    }
    // An array value is sent as one header line per element.
    for (const [name, values] of grouped)
      req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: performance.now() - started,
        }),
      );
      res.on('error', (error) => fail(error));
    });
    const fail = (error: Error) =>
      resolve({
        status: 0,
        headers: {},
        body: '',
        error: error.message,
        elapsedMs: performance.now() - started,
      });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(raw.body);
  });
}

/** `error="..."` of an RFC 6750 challenge, null for a challenge without one, undefined for none. */
export function bearerError(response: RawResponse): string | null | undefined {
  const challenge = response.headers['www-authenticate'];
  if (typeof challenge !== 'string' || !/^Bearer\b/.test(challenge)) return undefined;
  return /\berror="([^"]*)"/.exec(challenge)?.[1] ?? null;
}

/** JSON helpers for the few ordinary API calls the fixtures make. */
export async function sendJson<T = unknown>(
  baseUrl: string,
  path: string,
  options: {
    method?: string;
    token?: string;
    json?: unknown;
    form?: Record<string, string>;
    /** Extra request headers, e.g. a forged X-Forwarded-For. */
    headers?: ReadonlyArray<readonly [string, string]>;
    localAddress?: string;
  } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: T }> {
  const headers: Array<readonly [string, string]> = [
    ['accept', 'application/json'],
    ...(options.headers ?? []),
  ];
  let body: string | undefined;
  if (options.token) headers.push(['authorization', `Bearer ${options.token}`]);
  if (options.json !== undefined) {
    headers.push(['content-type', 'application/json']);
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers.push(['content-type', 'application/x-www-form-urlencoded']);
    body = new URLSearchParams(options.form).toString();
  }
  const response = await send(baseUrl, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    path,
    headers,
    body,
    localAddress: options.localAddress,
  });
  let parsed: unknown = response.body;
  try {
    parsed = response.body === '' ? null : JSON.parse(response.body);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Polls every check until each has returned true once; fails after `timeoutMs`. */
export async function replicasSettle(
  checks: ReadonlyArray<() => Promise<boolean>>,
  description: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...checks];
  while (pending.length > 0) {
    const outcomes = await Promise.all(pending.map((check) => check()));
    pending = pending.filter((_, index) => !outcomes[index]);
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
