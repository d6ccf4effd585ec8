import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { isTracingConfigured } from './settings';

/** Query parameters that may carry a credential (RFC 6750 allows a bearer token there). */
const CREDENTIAL_PARAMETERS = new Set(['access_token', 'refresh_token', 'code', 'client_secret']);

const tracer = trace.getTracer('@dja/telemetry/server-spans');

export interface ServerSpanOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * The server span of each request, named `GET /orders` by its route, as the first middleware of
 * a service's public app. It continues the caller's W3C trace (`traceparent`) and is the active
 * span for everything the request does: log lines carry its ids, fetch propagates it, and the
 * sampler's decision (parent-based) holds downstream.
 *
 * Written here rather than taken from instrumentation-http and instrumentation-express because
 * those compute every attribute and track every Express layer before the sampler decides, for
 * the nine requests in ten that are not recorded too: that was most of what tracing cost
 * (docs/benchmarks.md, "What tracing costs"). Here a request that is not sampled costs an
 * extraction, a sampling decision and a context; attributes are read only for recorded spans.
 */
export function traceRequests({ env = process.env }: ServerSpanOptions = {}): RequestHandler {
  if (!isTracingConfigured(env)) return (_req, _res, next) => next();
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER }, parent);
    const active = trace.setSpan(parent, span);
    // Body parsing and the response's `finish` run in callbacks of the socket, outside this
    // context unless the emitters are bound to it.
    context.bind(active, req);
    context.bind(active, res);
    if (span.isRecording()) recordExchange(span, req, res);
    context.with(active, next);
  };
}

function recordExchange(span: Span, req: Request, res: Response): void {
  span.setAttributes(requestAttributes(req));
  res.once('close', () => {
    const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : undefined;
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    const requestId = res.getHeader('x-request-id');
    if (typeof requestId === 'string') {
      // The request id every service echoes (the gateway's, or its own) joins logs to traces.
      span.setAttribute('http.response.header.x-request-id', [requestId]);
    }
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.setAttribute('error.type', 'response_not_finished');
    span.end();
  });
}

/** The stable HTTP server semantic conventions, credentials in the query string redacted. */
function requestAttributes(req: Request): Attributes {
  const [path, query] = splitUrl(req.originalUrl);
  const attributes: Attributes = {
    'http.request.method': req.method,
    'url.scheme': req.protocol,
    'url.path': path,
    'network.protocol.version': req.httpVersion,
    'client.address': req.ip,
    'network.peer.address': req.socket.remoteAddress,
  };
  if (query !== undefined) attributes['url.query'] = redactCredentials(query);
  const host = req.headers.host;
  if (host) attributes['server.address'] = host.replace(/:\d+$/, '');
  const userAgent = req.headers['user-agent'];
  if (userAgent) attributes['user_agent.original'] = userAgent;
  return attributes;
}

function splitUrl(url: string): [string, string | undefined] {
  const mark = url.indexOf('?');
  return mark < 0 ? [url, undefined] : [url.slice(0, mark), url.slice(mark + 1)];
}

/** `access_token=abc&limit=10` → `access_token=REDACTED&limit=10`. */
export function redactCredentials(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0]!;
      return CREDENTIAL_PARAMETERS.has(decodeURIComponentSafe(name)) ? `${name}=REDACTED` : pair;
    })
    .join('&');
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
