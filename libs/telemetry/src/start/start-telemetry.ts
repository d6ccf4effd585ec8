import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { isTracingConfigured } from '../settings';

export interface TelemetryOptions {
  /** `service.name` when OTEL_SERVICE_NAME does not set one. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** Exports the spans still buffered, then stops; call it last on shutdown. */
  shutdown(): Promise<void>;
}

/** Probes and scrapes arrive every few seconds from every balancer and Prometheus: no traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Query parameters that may carry a credential, replaced by REDACTED on spans. */
const CREDENTIAL_PARAMETERS = ['access_token', 'refresh_token', 'code', 'client_secret'];

/**
 * Starts the OpenTelemetry SDK for Node, configured only by the standard OTEL_* variables
 * (endpoint, protocol, service name, sampler, resource attributes). It patches http, express,
 * pg, undici (fetch) and pino, so it must run before any of them is loaded: each service's
 * `instrumentation.ts` calls it and is the first import of its `main.ts`.
 *
 * With no endpoint nothing is started and every span of the code is the API's no-op.
 */
export function startTelemetry({ serviceName, env = process.env }: TelemetryOptions): Telemetry {
  if (!isTracingConfigured(env)) return { enabled: false, shutdown: async () => undefined };
  // Metrics stay on Prometheus (/metrics) and logs on stdout unless these ask for OTLP too.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName }),
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
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
