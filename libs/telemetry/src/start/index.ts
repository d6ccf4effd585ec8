export { isTracingConfigured } from '../settings';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry';
