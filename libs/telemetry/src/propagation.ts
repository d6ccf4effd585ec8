import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
} from '@opentelemetry/api';

/** W3C Trace Context as it travels in message headers and is stored with outbox rows. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** AMQP header values may arrive as Buffers; anything else that is not a string is ignored. */
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return undefined;
  },
};

/**
 * Writes `traceparent` (and `tracestate`) of `from` into `carrier`, through the propagator the
 * SDK registered; with tracing off the API's propagator writes nothing.
 */
export function injectTraceContext(
  carrier: Record<string, unknown>,
  from: Context = context.active(),
): void {
  propagation.inject(from, carrier);
}

/** The context a carrier names, as the parent of what happens next; empty if it names none. */
export function extractTraceContext(carrier: object | null | undefined): Context {
  if (!carrier) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier as Record<string, unknown>, headerGetter);
}

/** The active trace context as a storable value, or null when there is none to continue. */
export function captureTraceContext(from: Context = context.active()): TraceCarrier | null {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier.traceparent ? carrier : null;
}
