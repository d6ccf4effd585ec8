import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes arrive every few seconds from every balancer and Prometheus: no traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Every Express layer: the instrumentation still names the server span by its route. */
const IGNORED_EXPRESS_LAYERS = [
  ExpressLayerType.MIDDLEWARE,
  ExpressLayerType.ROUTER,
  ExpressLayerType.REQUEST_HANDLER,
];

/** Query parameters that may carry a credential, replaced by REDACTED on spans. */
const CREDENTIAL_PARAMETERS = ['access_token', 'refresh_token', 'code', 'client_secret'];

/**
 * The OpenTelemetry SDK for Node with the instrumentations of http, express, pg, undici (fetch)
 * and pino. Loading this module loads the whole SDK (about 35 MiB of memory and a few hundred
 * ms of CPU), so start-telemetry.ts requires it only when tracing is configured.
 */
export function startNodeSdk(serviceName: string | undefined): { shutdown(): Promise<void> } {
  const sdk = new NodeSDK({
    ...(serviceName ? { serviceName } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(req.url ?? ''),
        // The request id every service echoes (the gateway's, or its own) joins logs to traces.
        headersToSpanAttributes: { server: { responseHeaders: ['x-request-id'] } },
        // RFC 6750 allows a bearer token in the query string: it never reaches a span.
        redactedQueryParamsServer: CREDENTIAL_PARAMETERS,
        redactedQueryParams: CREDENTIAL_PARAMETERS,
        // Services call each other with fetch (undici, below); the only node:http client is
        // the OTLP exporter itself, whose requests are never traced.
        disableOutgoingRequestInstrumentation: true,
      }),
      // The server span's name and http.route only: a span per middleware, router and handler
      // (ten on GET /orders) was the largest part of what tracing cost (docs/benchmarks.md).
      new ExpressInstrumentation({ ignoreLayersType: IGNORED_EXPRESS_LAYERS }),
      // Queries outside a request or a message (the outbox poll, every half second) stay
      // untraced; parameter values never go on a span (they can hold token hashes). No span for
      // taking a pooled connection: one per query, and each parsed the connection string.
      new PgInstrumentation({
        requireParentSpan: true,
        enhancedDatabaseReporting: false,
        ignoreConnectSpans: true,
      }),
      new UndiciInstrumentation(),
      // trace_id and span_id on every log line written inside a span; lines stay on stdout.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  return sdk;
}
