import { Agent, get as httpGet } from 'node:http';
import { Writable } from 'node:stream';
import { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import {
  createLogger,
  createMetricsRegistry,
  createServiceApp,
  listen,
  operationsApp,
  ProblemError,
  problemType,
  requireContentType,
  servedBy,
  validate,
} from './index';

function buildApp(
  readiness: Record<string, () => boolean> = {},
  trustedProxies: readonly string[] = ['127.0.0.1/8'],
) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const routes = Router();
  routes.post('/items', requireContentType('application/json'), (req, res) => {
    const body = validate(
      z.object({ name: z.string().min(1), quantity: z.number().int().positive() }),
      req.body,
    );
    res.status(201).json(body);
  });
  routes.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  routes.get('/async-boom', async () => {
    await Promise.resolve();
    throw new TypeError('cannot read x of undefined');
  });
  routes.get('/database-down', async () => {
    await Promise.resolve();
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  routes.get('/teapot', () => {
    throw new ProblemError(418, { code: 'teapot', title: 'I am a teapot' });
  });
  routes.get('/client-address', (req, res) => {
    res.json({ ip: req.ip });
  });
  const app = createServiceApp({
    service: 'orders-service',
    replicaId: '2',
    trustedProxies,
    logger: createLogger({ service: 'orders-service', replicaId: '2', destination }),
    metrics: createMetricsRegistry('orders-service'),
    readiness,
    routes,
  });
  return { app, lines };
}

describe('servedBy', () => {
  it('names a numbered replica after its service', () => {
    expect(servedBy('orders-service', '2')).toBe('orders-service-2');
  });

  it('keeps a Kubernetes pod name, which already starts with the service, as it is', () => {
    expect(servedBy('orders-service', 'orders-service-6d5c9b7f4-x2x4z')).toBe(
      'orders-service-6d5c9b7f4-x2x4z',
    );
  });
});

describe('createServiceApp', () => {
  it('tags every response with the replica that served it and a request id', async () => {
    const res = await request(buildApp().app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['x-served-by']).toBe('orders-service-2');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed request id from the gateway and replaces a hostile one', async () => {
    const { app } = buildApp();
    const kept = await request(app).get('/nope').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app).get('/nope').set('X-Request-Id', 'a\tb"<script>');
    expect(replaced.headers['x-request-id']).not.toContain('script');
  });

  it('sends the protective headers on a 2xx answer and on a 4xx problem', async () => {
    const { app } = buildApp();
    for (const res of [
      await request(app).post('/items').send({ name: 'x', quantity: 1 }),
      await request(app).get('/nope'),
      await request(app).get('/teapot'),
    ]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('lets a route that serves a public document choose its own caching', async () => {
    const routes = Router();
    routes.get(
      '/public',
      (_req, res) => void res.set('Cache-Control', 'public, max-age=60').json({}),
    );
    const app = drainableApp(routes, () => false);
    expect((await request(app).get('/public')).headers['cache-control']).toBe('public, max-age=60');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(buildApp().app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: problemType('not_found'), status: 404 });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await request(buildApp().app)
      .post('/items')
      .set('Content-Type', 'application/json')
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: problemType('malformed_body') });
  });

  it('answers an oversized body with 413', async () => {
    const res = await request(buildApp().app)
      .post('/items')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(100_000), quantity: 1 }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ type: problemType('body_too_large') });
  });

  it('answers another media type with 415', async () => {
    const res = await request(buildApp().app)
      .post('/items')
      .set('Content-Type', 'text/plain')
      .send('name=x');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ type: problemType('unsupported_media_type') });
  });

  it('names every invalid field', async () => {
    const res = await request(buildApp().app).post('/items').send({ name: '', quantity: 'two' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'name',
      'quantity',
    ]);
  });

  it('answers an unexpected error with a 500 that leaks nothing, and logs it', async () => {
    const { app, lines } = buildApp();
    for (const path of ['/boom', '/async-boom']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ type: problemType('internal_error') });
      expect(res.text).not.toMatch(/hunter2|undefined|at .*\.ts/);
    }
    expect(lines.join('')).toContain('hunter2');
  });

  it('answers 503 with Retry-After when a dependency cannot be reached', async () => {
    const res = await request(buildApp().app).get('/database-down');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toMatchObject({ type: problemType('service_unavailable'), status: 503 });
    expect(res.text).not.toContain('5432');
  });

  it('passes through a problem thrown by a handler', async () => {
    const res = await request(buildApp().app).get('/teapot');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ type: problemType('teapot'), title: 'I am a teapot', status: 418 });
  });

  it('reports not ready while a dependency fails', async () => {
    let database = false;
    const { app } = buildApp({ database: () => database, keys: () => true });
    const down = await request(operationsApp(app)).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.checks).toEqual({ database: 'failing', keys: 'ok' });
    database = true;
    expect((await request(operationsApp(app)).get('/readyz')).status).toBe(200);
  });

  it('exposes request latencies by route in Prometheus format', async () => {
    const { app } = buildApp();
    await request(app).get('/teapot');
    const res = await request(operationsApp(app)).get('/metrics');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/teapot"[^}]*\} 1/);
  });

  it('serves no health, readiness or metrics on the public app, only on the operations app', async () => {
    const { app } = buildApp({ database: () => true });
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await request(app).get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).not.toMatch(/# HELP|checks/);
      expect((await request(operationsApp(app)).get(path)).status).toBe(200);
    }
  });

  it('never logs credentials from headers or the query string', async () => {
    const { app, lines } = buildApp();
    await request(app)
      .get('/teapot?access_token=secret-token-1')
      .set('Authorization', 'Bearer secret-token-2');
    const log = lines.join('');
    expect(log).toContain('/teapot');
    expect(log).not.toMatch(/secret-token/);
  });
});

/** A quiet app whose shutdown state the test controls. */
function drainableApp(routes: Router, isShuttingDown: () => boolean) {
  return createServiceApp({
    service: 'orders-service',
    replicaId: '1',
    trustedProxies: [],
    logger: createLogger({ service: 'orders-service', replicaId: '1', level: 'silent' }),
    metrics: createMetricsRegistry('orders-service'),
    readiness: {},
    routes,
    isShuttingDown,
  });
}

describe('shutting down', () => {
  it('reports not ready and asks keep-alive clients to close their connection', async () => {
    let stopping = false;
    const app = drainableApp(Router(), () => stopping);
    expect((await request(operationsApp(app)).get('/readyz')).status).toBe(200);
    stopping = true;
    const res = await request(app).get('/nope');
    expect(res.headers.connection).toBe('close');
    expect((await request(operationsApp(app)).get('/readyz')).status).toBe(503);
  });
});

describe('listen', () => {
  it('serves the operations app on its own port when one is given', async () => {
    const app = drainableApp(Router(), () => false);
    const running = await listen(app, 0, '127.0.0.1', 0);
    try {
      expect((await fetch(`${running.operationsUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${running.url}/readyz`)).status).toBe(404);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.operationsUrl}/healthz`)).rejects.toThrow();
  });

  it('closes even while a keep-alive client keeps sending requests', async () => {
    const routes = Router();
    routes.get('/work', (_req, res) => void setTimeout(() => res.json({ ok: true }), 20));
    let stopping = false;
    const app = drainableApp(routes, () => stopping);
    const running = await listen(app, 0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let keepGoing = true;
    const statuses: number[] = [];
    const client = (async () => {
      while (keepGoing) {
        const status = await new Promise<number>((resolve) =>
          httpGet(`${running.url}/work`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          }).on('error', () => resolve(0)),
        );
        statuses.push(status);
        if (status === 0) break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopping = true;
    await running.close(); // would hang forever if the busy keep-alive socket were kept open
    keepGoing = false;
    await client;
    agent.destroy();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
  });
});

describe('the client address', () => {
  // supertest connects from 127.0.0.1: the gateway in the first two cases, a stranger in the last.
  const clientAddress = async (trustedProxies: readonly string[], forwardedFor: string) => {
    const { app } = buildApp({}, trustedProxies);
    const res = await request(app).get('/client-address').set('X-Forwarded-For', forwardedFor);
    return res.body.ip as string;
  };

  it('is taken from X-Forwarded-For when the request comes from a trusted proxy', async () => {
    expect(await clientAddress(['127.0.0.1'], '203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the hop the trusted proxy saw, not what the client claimed before it', async () => {
    expect(await clientAddress(['127.0.0.1/8'], '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await clientAddress(['10.0.0.2', '172.16.0.0/12'], '203.0.113.7')).toMatch(
      /^(::ffff:)?127\.0\.0\.1$/,
    );
    expect(await clientAddress([], '203.0.113.7')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
