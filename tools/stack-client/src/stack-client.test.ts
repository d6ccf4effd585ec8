import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ApiClient } from './api-client';
import { sendRaw, sendRawJson } from './raw-request';
import { request } from './request';

/** A server that answers what each test sets, and remembers the request it got. */
let server: Server;
let baseUrl: string;
let seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string };
let answer: { status: number; type?: string; body: string } = { status: 200, body: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      if (answer.type) res.setHeader('content-type', answer.type);
      res.setHeader('x-served-by', 'replica-1');
      res.writeHead(answer.status).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('request', () => {
  it('sends JSON with the bearer token and reads a JSON answer', async () => {
    answer = { status: 201, type: 'application/problem+json', body: '{"title":"x"}' };
    const response = await request(`${baseUrl}/orders`, { token: 't', json: { a: 1 } });
    expect(seen).toMatchObject({ method: 'POST', url: '/orders', body: '{"a":1}' });
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(response).toMatchObject({
      status: 201,
      contentType: 'application/problem+json',
      body: { title: 'x' },
      text: '{"title":"x"}',
      servedBy: 'replica-1',
    });
  });

  it('keeps a text answer as text and gives null for an empty one', async () => {
    answer = { status: 404, type: 'text/html', body: '<p>no</p>' };
    expect((await request(baseUrl)).body).toBe('<p>no</p>');
    answer = { status: 204, body: '' };
    expect((await request(baseUrl)).body).toBeNull();
  });

  it('gives up on an answer slower than its timeout', async () => {
    const slow = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
    try {
      await expect(request(url, { timeoutMs: 100 })).rejects.toThrow(/timeout|abort/i);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('ApiClient', () => {
  it('refreshes form-encoded under the auth path of the gateway, or at a replica itself', async () => {
    answer = { status: 200, type: 'application/json', body: '{}' };
    await new ApiClient(baseUrl).refresh('r');
    expect(seen).toMatchObject({
      url: '/auth/token',
      body: 'grant_type=refresh_token&refresh_token=r',
    });
    expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
    await ApiClient.ofAuthReplica(baseUrl).refresh('r');
    expect(seen.url).toBe('/token');
  });

  it('insists on success where it returns the body', async () => {
    answer = { status: 401, type: 'application/json', body: '{"error":"invalid_grant"}' };
    await expect(new ApiClient(baseUrl).login({ email: 'a@b', password: 'p' })).rejects.toThrow(
      /login a@b: expected 200, got 401 from replica-1/,
    );
  });
});

describe('sendRaw and sendRawJson', () => {
  it('sends a repeated header as two lines', async () => {
    answer = { status: 200, body: '' };
    await sendRaw(baseUrl, {
      path: '/x',
      headers: [
        ['x-twice', 'a'],
        ['x-twice', 'b'],
      ],
    });
    expect(seen.headers['x-twice']).toBe('a, b');
  });

  it('reads the answer as request does', async () => {
    answer = { status: 400, type: 'application/json', body: '{"error":"invalid_request"}' };
    const response = await sendRawJson(baseUrl, '/auth/token', { form: { a: 'b' } });
    expect(seen).toMatchObject({ method: 'POST', body: 'a=b' });
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('answers status 0 when nothing listens, instead of throwing', async () => {
    const response = await sendRaw('http://127.0.0.1:1', { path: '/' });
    expect(response.status).toBe(0);
    expect(response.error).toMatch(/ECONNREFUSED/);
  });
});
