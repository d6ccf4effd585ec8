import { startTelemetry } from '@dja/telemetry/start';

/**
 * The first import of main.ts: the OpenTelemetry SDK patches pg, undici and pino
 * as they are loaded, so it starts before anything else. Off unless an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT; docs/observability.md).
 */
export const telemetry = startTelemetry({ serviceName: 'notifications-service' });
