import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * The OpenTelemetry SDK for Node with the instrumentations of pg, undici (fetch) and pino. The
 * server span of each request is `traceRequests()` (../server-spans.ts), the first middleware of
 * every service's app, not instrumentation-http and -express: those did their work for every
 * request, sampled or not (docs/benchmarks.md, "What tracing costs"). Loading this module loads
 * the whole SDK (about 35 MiB of memory and a few hundred ms of CPU), so start-telemetry.ts
 * requires it only when tracing is configured.
 */
export function startNodeSdk(serviceName: string | undefined): { shutdown(): Promise<void> } {
  const sdk = new NodeSDK({
    ...(serviceName ? { serviceName } : {}),
    instrumentations: [
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
