import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface TestTracing {
  /** Every span ended since install (or the last reset), in the order they ended. */
  spans(): ReadableSpan[];
  reset(): void;
  uninstall(): void;
}

/**
 * A real tracer provider, W3C propagator and async context manager, registered globally for one
 * test file, keeping ended spans in memory. What the SDK does in a service, minus the export.
 */
export function installTestTracing(options: { sampler?: Sampler } = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: options.sampler,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
