/** The few calls the benchmarks make, failing loudly on an unexpected status. */
import type autocannon from 'autocannon';

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

async function expectJson<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function register(base: string, email: string, password: string): Promise<void> {
  await expectJson(
    await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name: email.split('@')[0] }),
    }),
    'register',
  );
}

/** `base` is the auth service: `${gateway}/auth` or a replica's URL. */
export async function login(base: string, email: string, password: string): Promise<Tokens> {
  return expectJson<Tokens>(
    await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    }),
    'login',
  );
}

export async function logout(base: string, accessToken: string): Promise<void> {
  const response = await fetch(`${base}/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (response.status !== 204) throw new Error(`logout: ${response.status}`);
}

/** Status and X-Served-By of one authenticated GET, body drained. */
export async function probe(
  url: string,
  token: string,
): Promise<{ status: number; servedBy: string | null }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return { status: response.status, servedBy: response.headers.get('x-served-by') };
}

/**
 * Each request spends one refresh token from a shared queue and puts the one it gets back in
 * the queue (autocannon clears a connection's context between requests, so the chain cannot be
 * kept per connection). With one request in flight per connection, the queue never runs dry.
 */
export function refreshChain(queue: string[]): autocannon.Request {
  return {
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (request) => ({
      ...request,
      body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(queue.shift() ?? '')}`,
    }),
    onResponse: (status, body) => {
      if (status === 200) queue.push((JSON.parse(body) as Tokens).refresh_token);
    },
  };
}
