import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceTokenClient, ServiceTokenError } from './service-token-client';

interface TokenServer {
  url: string;
  requests: Array<{ authorization?: string; body: string }>;
  respond: (status: number, body: unknown) => void;
  close(): Promise<void>;
}

async function startTokenServer(): Promise<TokenServer> {
  const requests: TokenServer['requests'] = [];
  let reply: { status: number; body: unknown } = {
    status: 200,
    body: { access_token: 'token-1', token_type: 'Bearer', expires_in: 300 },
  };
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => (body += String(chunk)));
      req.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (req, res) => {
    requests.push({ authorization: req.headers.authorization, body: await read(req) });
    // Let concurrent callers pile up, so a test can see whether they share one request.
    await new Promise((resolve) => setTimeout(resolve, 20));
    res
      .writeHead(reply.status, { 'content-type': 'application/json' })
      .end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests,
    respond: (status, body) => (reply = { status, body }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('createServiceTokenClient', () => {
  let server: TokenServer;
  let now = 1_000_000;
  const clock = () => now;

  beforeEach(async () => {
    server = await startTokenServer();
    now = 1_000_000;
  });
  afterEach(() => server.close());

  const client = () =>
    createServiceTokenClient({
      tokenUrl: server.url,
      clientId: 'notifications service',
      clientSecret: 's3cret:with/odd&chars',
      scope: 'profile:read',
      now: clock,
    });

  it('asks for a client_credentials token with the secret form-encoded in HTTP Basic', async () => {
    expect(await client().getToken()).toBe('token-1');
    const [request] = server.requests;
    const basic = Buffer.from(request!.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(basic).toBe('notifications%20service:s3cret%3Awith%2Fodd%26chars');
    expect(new URLSearchParams(request!.body).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(request!.body).get('scope')).toBe('profile:read');
  });

  it('reuses the token until shortly before it expires, then fetches a new one', async () => {
    const tokens = client();
    await tokens.getToken();
    now += 260_000; // 40 s left: still used
    await tokens.getToken();
    expect(server.requests).toHaveLength(1);
    now += 15_000; // 25 s left: inside the 30 s renewal margin
    server.respond(200, { access_token: 'token-2', token_type: 'Bearer', expires_in: 300 });
    expect(await tokens.getToken()).toBe('token-2');
    expect(server.requests).toHaveLength(2);
  });

  it('lets concurrent callers share one request', async () => {
    const tokens = client();
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getToken()));
    expect(new Set(results)).toEqual(new Set(['token-1']));
    expect(server.requests).toHaveLength(1);
  });

  it('fetches again after invalidate()', async () => {
    const tokens = client();
    await tokens.getToken();
    tokens.invalidate();
    await tokens.getToken();
    expect(server.requests).toHaveLength(2);
  });

  it('fails with the OAuth error code when the client is refused, and caches nothing', async () => {
    server.respond(401, { error: 'invalid_client', error_description: 'no' });
    const tokens = client();
    await expect(tokens.getToken()).rejects.toThrow(
      new ServiceTokenError('token endpoint answered 401 invalid_client'),
    );
    server.respond(200, { access_token: 'token-3', token_type: 'Bearer', expires_in: 300 });
    expect(await tokens.getToken()).toBe('token-3');
  });
});
