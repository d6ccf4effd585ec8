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

/**
 * Starts the OpenTelemetry SDK for Node, configured only by the standard OTEL_* variables
 * (endpoint, protocol, service name, sampler, resource attributes). It patches pg, undici
 * (fetch) and pino, so it must run before any of them is loaded: each service's
 * `instrumentation.ts` calls it and is the first import of its `main.ts`. The server span of
 * each request is `traceRequests()`, which every service app made by createServiceApp runs first.
 *
 * With no endpoint nothing is started, the SDK is not even loaded (it would cost every replica
 * about 35 MiB and a third of its start-up CPU), and every span of the code is the API's no-op.
 */
export function startTelemetry({ serviceName, env = process.env }: TelemetryOptions): Telemetry {
  if (!isTracingConfigured(env)) return { enabled: false, shutdown: async () => undefined };
  // Metrics stay on Prometheus (/metrics) and logs on stdout unless these ask for OTLP too.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  // A synchronous require, not import(): the SDK has to patch pg, undici and pino before
  // main.ts loads them, and the bundles (esbuild, CJS) run a required module only when required.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startNodeSdk } = require('./node-sdk') as typeof import('./node-sdk');
  const sdk = startNodeSdk(env.OTEL_SERVICE_NAME ? undefined : serviceName);
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
