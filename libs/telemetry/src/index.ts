export {
  captureTraceContext,
  extractTraceContext,
  injectTraceContext,
  type TraceCarrier,
} from './propagation';
export {
  inSpan,
  type InSpanOptions,
  isRecording,
  markFailed,
  type Span,
  SpanKind,
  startSpan,
  withActiveSpan,
} from './spans';
export { redactCredentials, type ServerSpanOptions, traceRequests } from './server-spans';
export { isTracingConfigured, TELEMETRY_VARIABLES } from './settings';
