import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes arrive every few seconds from every balancer and Prometheus: no traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

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
      }),
      new ExpressInstrumentation(),
      // Queries outside a request or a message (the outbox poll, every half second) stay
      // untraced; parameter values never go on a span (they can hold token hashes).
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new UndiciInstrumentation(),
      // trace_id and span_id on every log line written inside a span; lines stay on stdout.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  return sdk;
}
