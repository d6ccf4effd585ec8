import { Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { encodeBody, parseBody, type RequestOptions } from './request';

/**
 * A request exactly as a test crafts it, sent with node:http. Headers are a list, so the same
 * name may appear twice (fetch would merge them into one line) and values may hold bytes fetch
 * refuses.
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
export function sendRaw(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
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
export function bearerError(response: Pick<RawResponse, 'headers'>): string | null | undefined {
  const challenge = response.headers['www-authenticate'];
  if (typeof challenge !== 'string' || !/^Bearer\b/.test(challenge)) return undefined;
  return /\berror="([^"]*)"/.exec(challenge)?.[1] ?? null;
}

export interface RawJsonOptions extends Pick<RequestOptions, 'method' | 'token' | 'json' | 'form'> {
  /** Extra request headers, e.g. a forged X-Forwarded-For. */
  headers?: ReadonlyArray<readonly [string, string]>;
  localAddress?: string;
}

/**
 * An ordinary API call (body and answer as `request` has them) over node:http, for what fetch
 * cannot do: send from another local address, or repeat a header.
 */
export async function sendRawJson<T = unknown>(
  baseUrl: string,
  path: string,
  options: RawJsonOptions = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: T }> {
  const headers: Array<readonly [string, string]> = [
    ['accept', 'application/json'],
    ...(options.headers ?? []),
  ];
  const body = encodeBody(options, (name, value) => headers.push([name, value]));
  const response = await sendRaw(baseUrl, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    path,
    headers,
    body,
    localAddress: options.localAddress,
  });
  const contentType = String(response.headers['content-type'] ?? '');
  return {
    status: response.status,
    headers: response.headers,
    body: parseBody(response.body, contentType) as T,
  };
}
