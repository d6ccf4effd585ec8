import { createMetricsRegistry, operationsApp } from '@dja/http';
import { waitFor } from '@dja/test-infra';
import request from 'supertest';
import { startTestService, type TestService } from '../test/support/test-service';
import { createApp } from './app';
import { connectDatabase } from './database';
import { SERVICE_NAME } from './dependencies';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.stop());

it('answers /healthz on the operations app and names the replica in X-Served-By', async () => {
  expect((await request(operationsApp(service.app)).get('/healthz')).status).toBe(200);
  const res = await request(service.app).get('/healthz');
  expect(res.status).toBe(404);
  expect(res.headers['x-served-by']).toBe('orders-service-test');
});

it('reports ready once database, broker, keys and revocations are', async () => {
  await waitFor(() => service.broker.isConnected(), { timeoutMs: 10_000 });
  const res = await request(operationsApp(service.app)).get('/readyz');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'ready' });
  expect(Object.keys(res.body.checks).sort()).toEqual([
    'broker',
    'database',
    'keys',
    'revocations',
  ]);
});

it('reports not ready, naming the database, when its database cannot be reached', async () => {
  const url = new URL(service.database.url);
  url.pathname = '/no_such_database';
  const unreachable = connectDatabase(url.toString());
  try {
    const app = createApp({
      ...service.deps,
      db: unreachable,
      metrics: createMetricsRegistry(SERVICE_NAME),
    });
    const res = await request(operationsApp(app)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toMatchObject({ database: 'failing', keys: 'ok' });
  } finally {
    await unreachable.$disconnect();
  }
});

it('serves Prometheus metrics', async () => {
  const res = await request(operationsApp(service.app)).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.text).toMatch(/http_request/);
});

it('answers 404 problem+json for an unknown route', async () => {
  const res = await request(service.app).delete('/orders');
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
});
