import { trace } from '@opentelemetry/api';
import { AlwaysOffSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import express, { type Express, Router } from 'express';
import request from 'supertest';
import { installTestTracing } from './testing';
import { injectTraceContext, traceRequests } from './index';

// Parent-based, new traces never sampled: a sampled caller is recorded, an unsampled one is not.
const tracing = installTestTracing({
  sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
});
afterAll(() => tracing.uninstall());
afterEach(() => tracing.reset());

const TRACING_ON = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SAMPLED = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const UNSAMPLED = `00-${TRACE_ID}-b7ad6b7169203331-00`;

/** What a handler saw: the active span's context and the traceparent it would send on. */
function appSeeing(env: NodeJS.ProcessEnv = TRACING_ON): Express {
  const app = express();
  app.use(traceRequests({ env }));
  app.use((_req, res, next) => {
    res.setHeader('X-Request-Id', 'req-1');
    next();
  });
  app.use(express.json());
  const orders = Router();
  orders.all('/:id', (req, res) => {
    const outgoing: Record<string, string> = {};
    injectTraceContext(outgoing);
    const active = trace.getActiveSpan();
    res.json({
      traceId: active?.spanContext().traceId,
      recording: active?.isRecording(),
      traceparent: outgoing.traceparent,
      body: req.body as unknown,
    });
  });
  app.use('/orders', orders);
  return app;
}

describe('server spans', () => {
  it('continues a sampled caller in a server span named by its route, with the request id', async () => {
    const res = await request(appSeeing()).get('/orders/42').set('traceparent', SAMPLED);
    expect(res.body).toMatchObject({ traceId: TRACE_ID, recording: true });
    const [span] = tracing.spans();
    expect(span).toMatchObject({ name: 'GET /orders/:id', kind: 1 });
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200,
      'url.path': '/orders/42',
      'http.response.header.x-request-id': ['req-1'],
    });
    expect(res.body.traceparent).toBe(`00-${TRACE_ID}-${span!.spanContext().spanId}-01`);
  });

  it('keeps an unsampled caller unsampled downstream, its trace id still active', async () => {
    const res = await request(appSeeing()).get('/orders/42').set('traceparent', UNSAMPLED);
    expect(res.body).toMatchObject({ traceId: TRACE_ID, recording: false });
    expect(res.body.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(tracing.spans()).toEqual([]);
  });

  it('reads a JSON body inside the request span', async () => {
    const res = await request(appSeeing())
      .post('/orders/42')
      .set('traceparent', SAMPLED)
      .send({ sku: 'A-1' });
    expect(res.body).toMatchObject({ traceId: TRACE_ID, body: { sku: 'A-1' } });
    expect(tracing.spans()[0]?.name).toBe('POST /orders/:id');
  });

  it('never puts a credential from the query string on the span', async () => {
    await request(appSeeing())
      .get('/orders/42?access_token=secret-token&limit=10')
      .set('traceparent', SAMPLED);
    const [span] = tracing.spans();
    expect(span!.attributes['url.query']).toBe('access_token=REDACTED&limit=10');
    expect(JSON.stringify(span!.attributes)).not.toContain('secret-token');
  });

  it('does nothing when tracing is not configured', async () => {
    const res = await request(appSeeing({})).get('/orders/42').set('traceparent', SAMPLED);
    expect(res.body.traceId).toBeUndefined();
    expect(tracing.spans()).toEqual([]);
  });
});
