export {
  isTracingConfigured,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from './start-telemetry';
