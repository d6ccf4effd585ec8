import { randomUUID } from 'node:crypto';

/** An HTTP answer with its body read: parsed JSON when it says JSON, else the text. */
export interface Answer<T = unknown> {
  status: number;
  contentType: string;
  body: T;
  text: string;
  servedBy: string | null;
  ms: number;
}

export interface CallOptions {
  method?: string;
  token?: string;
  json?: unknown;
  /** Give up (and throw) after this long: how a test tells "slow" from "hung". */
  timeoutMs?: number;
}

export async function call<T = unknown>(
  url: string,
  options: CallOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const contentType = response.headers.get('content-type') ?? '';
  let body: unknown = text;
  if (/json/.test(contentType) && text !== '') body = JSON.parse(text);
  return {
    status: response.status,
    contentType,
    body: body as T,
    text,
    servedBy: response.headers.get('x-served-by'),
    ms,
  };
}

export interface TokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface User {
  id: string;
  email: string;
  password: string;
  tokens: TokenSet;
}

function expectOk<T>(answer: Answer<T>, status: number, what: string): T {
  if (answer.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`,
    );
  }
  return answer.body;
}

export async function login(
  gatewayUrl: string,
  email: string,
  password: string,
): Promise<TokenSet> {
  const answer = await call<TokenSet>(`${gatewayUrl}/auth/login`, { json: { email, password } });
  return expectOk(answer, 200, `login ${email}`);
}

export async function registerAndLogIn(gatewayUrl: string): Promise<User> {
  const email = `fault-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const registered = await call<{ id: string }>(`${gatewayUrl}/auth/register`, {
    json: { email, password, name: 'Fault Test' },
  });
  const { id } = expectOk(registered, 201, `register ${email}`);
  return { id, email, password, tokens: await login(gatewayUrl, email, password) };
}

export async function createOrder(
  gatewayUrl: string,
  token: string,
  sku = 'FAULT-1',
): Promise<Answer<{ id: string }>> {
  return call<{ id: string }>(`${gatewayUrl}/orders`, {
    token,
    json: { items: [{ sku, quantity: 1 }] },
  });
}

/** The header and claims of a JWT, read without verifying (the services verify). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, claims };
}

/** A body is a clean error when it is an RFC 9457 problem (or an RFC 6750 bearer error) and leaks no stack. */
export function looksLikeStackTrace(text: string): boolean {
  return /\n\s+at [^\n]+:\d+:\d+/.test(text) || /node_modules|\/dist\/apps\//.test(text);
}
