/** An HTTP answer, its body read: JSON when it says JSON, null when empty, else the text. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** `Content-Type`, '' when there is none. */
  contentType: string;
  body: T;
  /** The body as it came. */
  text: string;
  /** `X-Served-By`: which replica answered. */
  servedBy: string | null;
  /** Milliseconds from sending to the end of the body. */
  ms: number;
}

export interface RequestOptions {
  /** GET without a body, POST with one. */
  method?: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  json?: unknown;
  /** Form-encoded, as OAuth clients send the token endpoint's parameters. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Give up (and throw) after this long: how a test tells "slow" from "hung". */
  timeoutMs?: number;
}

/** What a request waits at most unless it says otherwise. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** One request with global fetch, as an ordinary client sends it; never throws on an HTTP status. */
export async function request<T = unknown>(
  url: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const body = encodeBody(options, (name, value) => (headers[name] = value));
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    contentType,
    body: parseBody(text, contentType) as T,
    text,
    servedBy: response.headers.get('x-served-by'),
    ms: performance.now() - started,
  };
}

/** The request body of `json` or `form`, its content type set through `setHeader`. */
export function encodeBody(
  options: Pick<RequestOptions, 'json' | 'form' | 'token'>,
  setHeader: (name: string, value: string) => void,
): string | undefined {
  if (options.token) setHeader('authorization', `Bearer ${options.token}`);
  if (options.json !== undefined) {
    setHeader('content-type', 'application/json');
    return JSON.stringify(options.json);
  }
  if (options.form) {
    setHeader('content-type', 'application/x-www-form-urlencoded');
    return new URLSearchParams(options.form).toString();
  }
  return undefined;
}

/** JSON when the content type says JSON, null when empty, else the text. */
export function parseBody(text: string, contentType: string): unknown {
  if (text === '') return null;
  return /json/.test(contentType) ? JSON.parse(text) : text;
}

/**
 * Status and `X-Served-By` of one authenticated GET, the body drained unread: the cheapest call,
 * for polling and warming replicas.
 */
export async function probe(
  url: string,
  token: string,
): Promise<{ status: number; servedBy: string | null }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return { status: response.status, servedBy: response.headers.get('x-served-by') };
}
