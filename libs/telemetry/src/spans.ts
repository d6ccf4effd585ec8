import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export { type Span, SpanKind };

/**
 * The tracer of this project's own spans. Until `startTelemetry()` registers the SDK (or when
 * tracing is off) it is the API's no-op tracer: spans cost an object allocation and record nothing.
 */
const tracer = trace.getTracer('distributed-jwt-auth');

export interface InSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; the active context by default. */
  parent?: Context;
}

/**
 * Runs `work` in a new active span that ends when it settles. A thrown error marks the span as
 * failed, named by its stable `code` when it has one, and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: InSpanOptions,
  work: (span: Span) => T | Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span the caller ends; for code that must stay synchronous on its fast path. */
export function startSpan(name: string, options: InSpanOptions = {}): Span {
  return tracer.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    options.parent ?? context.active(),
  );
}

/** Runs `work` with `span` as the active span, so spans started inside become its children. */
export function withActiveSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/**
 * Marks a span as failed with the error's stable code (`error.code`, else its name). Only the
 * code and class go on the span: messages may quote input, and input may be a credential.
 */
export function markFailed(span: Span, error: unknown): void {
  const code = errorCode(error);
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'Error';
}

/** True when the active context holds a span that records (tracing on and sampled). */
export function isRecording(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}
