// k6/http for the shim: the subset the scripts use, over a blocking fetch.
import { record } from './recorder';
import { fetchSync } from './sync-fetch';

type Expected = (response: { status: number }) => boolean;

export interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  responseCallback?: Expected;
}

export interface ShimResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  url: string;
  error: string;
  timings: { duration: number };
  json(selector?: string): unknown;
}

let defaultExpected: Expected = ({ status }) => status >= 200 && status < 400;

export function expectedStatuses(
  ...statuses: Array<number | { min: number; max: number }>
): Expected {
  return ({ status }) =>
    statuses.some((s) =>
      typeof s === 'number' ? s === status : status >= s.min && status <= s.max,
    );
}

export function setResponseCallback(callback: Expected): void {
  defaultExpected = callback;
}

/** Go's canonical header form, which k6 uses for response header names: X-Served-By. */
const canonical = (name: string) =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');

export function request(
  method: string,
  url: string,
  body?: string | Record<string, string> | null,
  params: Params = {},
): ShimResponse {
  const headers = { ...params.headers };
  let payload: string | undefined;
  if (typeof body === 'string') payload = body;
  else if (body) {
    payload = new URLSearchParams(body).toString();
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  }
  const answer = fetchSync({ method, url, headers, body: payload });
  const tags = { method, status: String(answer.status), ...params.tags };
  const failed = !(params.responseCallback ?? defaultExpected)({ status: answer.status });
  record('http_reqs', 'counter', 1, tags);
  record('http_req_failed', 'rate', failed ? 1 : 0, tags);
  record('http_req_duration', 'trend', answer.durationMs, tags);
  return {
    status: answer.status,
    body: answer.body,
    headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [canonical(k), v])),
    url,
    error: answer.error ?? '',
    timings: { duration: answer.durationMs },
    json(selector?: string) {
      if (selector !== undefined) throw new Error('k6 shim: json(selector) is not implemented');
      return JSON.parse(answer.body);
    },
  };
}

export const get = (url: string, params?: Params) => request('GET', url, null, params);
export const post = (url: string, body?: string | Record<string, string> | null, params?: Params) =>
  request('POST', url, body, params);
export const put = (url: string, body?: string | Record<string, string> | null, params?: Params) =>
  request('PUT', url, body, params);
export const del = (url: string, body?: string | Record<string, string> | null, params?: Params) =>
  request('DELETE', url, body, params);

export default { request, get, post, put, del, expectedStatuses, setResponseCallback };
