import { context, trace } from '@opentelemetry/api';
import { installTestTracing } from './testing';
import { captureTraceContext, extractTraceContext, inSpan, injectTraceContext } from './index';

const tracing = installTestTracing();
afterAll(() => tracing.uninstall());

describe('trace context propagation', () => {
  it('injects the active span as a W3C traceparent and extracts the same span context', async () => {
    await inSpan('outer', {}, async (span) => {
      const headers: Record<string, unknown> = {};
      injectTraceContext(headers);
      const { traceId, spanId } = span.spanContext();
      expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      const extracted = trace.getSpanContext(extractTraceContext(headers));
      expect(extracted).toMatchObject({ traceId, spanId, isRemote: true });
    });
  });

  it('reads a traceparent that arrives as a Buffer, as AMQP headers may', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const extracted = trace.getSpanContext(
      extractTraceContext({ traceparent: Buffer.from(traceparent) }),
    );
    expect(extracted?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('captures nothing outside a span, and extracts no parent from nothing', () => {
    expect(captureTraceContext(context.active())).toBeNull();
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });

  it('marks a span whose work throws as failed with the error code, and rethrows', async () => {
    const failure = Object.assign(new Error('token abc.def.ghi is bad'), { code: 'ERR_X' });
    await expect(
      inSpan('failing', {}, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const span = tracing.spans().find((s) => s.name === 'failing')!;
    expect(span.status).toEqual({ code: 2, message: 'ERR_X' });
    expect(span.attributes['error.type']).toBe('ERR_X');
    expect(JSON.stringify([span.attributes, span.events, span.status])).not.toContain(
      'abc.def.ghi',
    );
  });
});
