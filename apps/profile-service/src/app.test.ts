import { operationsApp } from '@dja/http';
import request from 'supertest';
import { startTestService, type TestService } from '../test/support/test-service';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(() => service.stop());

describe('operational endpoints', () => {
  it('reports live on /healthz', async () => {
    const res = await request(operationsApp(service.app)).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['x-served-by']).toBe('profile-service-test');
  });

  it('reports ready on /readyz once database, broker, keys and revocations are', async () => {
    const res = await request(operationsApp(service.app)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({
      database: 'ok',
      keys: 'ok',
      broker: 'ok',
      revocations: 'ok',
    });
  });

  it('serves Prometheus metrics', async () => {
    const res = await request(operationsApp(service.app)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await request(service.app).get('/profiles');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
