import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { BASE_URL } from './config.ts';
import { replicaDuration, replicaResponses, unauthorized } from './metrics.ts';

export type Service = 'auth' | 'orders' | 'profile' | 'notifications';
export type Response = RefinedResponse<ResponseType | undefined>;

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Statuses that count as success for http_req_failed (default: 2xx and 3xx). */
  expected?: number[];
  /** A 401 here is what the scenario is waiting for, not an error. */
  expectUnauthorized?: boolean;
}

const OK = { min: 200, max: 399 };

/**
 * One request through the gateway. Tags it with the service and a route name (so thresholds
 * can be set per service without one time series per order id), and records which replica
 * answered it.
 */
export function call(
  method: string,
  service: Service,
  name: string,
  path: string,
  options: CallOptions = {},
): Response {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | Record<string, string> | null = null;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  const expected = options.expected ?? (options.expectUnauthorized ? [401] : []);
  const response = http.request(method, `${BASE_URL}${path}`, body, {
    headers,
    tags: { service, name },
    responseCallback: http.expectedStatuses(OK, ...expected),
  });
  const replica = servedBy(response);
  const tags = { service, replica };
  replicaResponses.add(1, tags);
  replicaDuration.add(response.timings.duration, tags);
  if (response.status === 401 && options.token && !options.expectUnauthorized) {
    unauthorized.add(1, { service, name });
  }
  return response;
}

/** The replica that answered, from the gateway's X-Served-By header ("none" if absent). */
export function servedBy(response: Response): string {
  const headers = response.headers as Record<string, string | undefined>;
  return headers['X-Served-By'] ?? 'none';
}

/** The parsed JSON body, or undefined when there is none or it is not JSON. */
export function jsonBody<T>(response: Response): T | undefined {
  if (typeof response.body !== 'string' || response.body === '') return undefined;
  try {
    return JSON.parse(response.body) as T;
  } catch {
    return undefined;
  }
}
