/**
 * Calls through the gateway, same origin. Because the console is served by the same gateway,
 * fetch may read every response header, including `X-Served-By` (which replica answered) and
 * `WWW-Authenticate` (why a token was refused), with no CORS configuration at all.
 */

export type ServiceName = 'auth' | 'orders' | 'profile' | 'notifications';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (the OAuth token endpoint). */
  form?: Record<string, string>;
}

export interface ApiResult {
  method: string;
  path: string;
  /** 0 when no HTTP answer arrived. */
  status: number;
  latencyMs: number;
  servedBy: string | null;
  wwwAuthenticate: string | null;
  body: unknown;
  /** Why the request failed, in the server's words, if it said. */
  reason: string | null;
}

export async function callApi(request: ApiRequest): Promise<ApiResult> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }

  const started = performance.now();
  try {
    const response = await fetch(request.path, {
      method: request.method,
      headers,
      body,
      // Tokens travel in headers only; no cookie is involved.
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    const latencyMs = performance.now() - started;
    const parsed = parseJson(text);
    const wwwAuthenticate = response.headers.get('WWW-Authenticate');
    return {
      method: request.method,
      path: request.path,
      status: response.status,
      latencyMs,
      servedBy: response.headers.get('X-Served-By'),
      wwwAuthenticate,
      body: parsed,
      reason: response.ok ? null : reasonOf(wwwAuthenticate, parsed),
    };
  } catch (error) {
    return {
      method: request.method,
      path: request.path,
      status: 0,
      latencyMs: performance.now() - started,
      servedBy: null,
      wwwAuthenticate: null,
      body: null,
      reason: (error as Error).message,
    };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** RFC 6750 challenge first, then an RFC 6749 §5.2 error, then an RFC 9457 problem. */
export function reasonOf(wwwAuthenticate: string | null, body: unknown): string | null {
  if (wwwAuthenticate) {
    const error = /error="([^"]*)"/.exec(wwwAuthenticate)?.[1];
    const description = /error_description="([^"]*)"/.exec(wwwAuthenticate)?.[1];
    if (error) return description ? `${error}: ${description}` : error;
  }
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.error === 'string') {
      return typeof record.error_description === 'string'
        ? `${record.error}: ${record.error_description}`
        : record.error;
    }
    if (typeof record.title === 'string') {
      return typeof record.detail === 'string' ? `${record.title}: ${record.detail}` : record.title;
    }
  }
  return null;
}

/** One harmless call per service that needs a valid, unrevoked user token. */
export const PROBES: ReadonlyArray<{ service: ServiceName; request: ApiRequest }> = [
  { service: 'orders', request: { method: 'GET', path: '/orders' } },
  { service: 'profile', request: { method: 'GET', path: '/profile/me' } },
  { service: 'notifications', request: { method: 'GET', path: '/notifications' } },
  // The admin routes check revocation too: 403 for a valid non-admin token, 401 once revoked.
  { service: 'auth', request: { method: 'GET', path: '/auth/admin/keys' } },
];
