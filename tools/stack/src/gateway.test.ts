import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@dja/test-infra';
import {
  localServiceDiscovery,
  renderGatewayConfig,
  type RunningGateway,
  startGateway,
} from './gateway';
import { EXACT_ROUTES, ROUTES, SERVICE_NAMES, type ServiceName } from './topology';

const template = readFileSync(
  join(__dirname, '../../../infra/gateway/gateway.conf.template'),
  'utf8',
);
const values = {
  ...localServiceDiscovery(
    Object.fromEntries(SERVICE_NAMES.map((service) => [service, ['127.0.0.1:1']])) as Record<
      ServiceName,
      string[]
    >,
  ),
  GATEWAY_PORT: '8080',
  INTERNAL_GATEWAY_PORT: '8081',
  CONSOLE_ROOT: '/srv/console',
};

describe('the gateway template', () => {
  it('fills every placeholder', () => {
    const config = renderGatewayConfig(template, values);
    expect(config).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(config).toContain('server 127.0.0.1:1 max_fails=1 fail_timeout=5s;');
  });

  it('names an upstream group of the local stack in every proxy_pass', () => {
    const config = renderGatewayConfig(template, values);
    for (const service of SERVICE_NAMES) {
      expect(config).toMatch(new RegExp(`upstream ${service}_service \\{`));
      expect(config).toMatch(
        new RegExp(`map \\$host \\$${service}_service\\s+\\{ default ${service}_service; \\}`),
      );
    }
  });

  it('refuses to render with a placeholder missing', () => {
    const { GATEWAY_PORT: _omitted, ...partial } = values;
    expect(() => renderGatewayConfig(template, partial)).toThrow('no value for ${GATEWAY_PORT}');
  });

  it('routes every path of the topology to its service', () => {
    for (const { prefix, service } of ROUTES) {
      const block = new RegExp(
        `location ${prefix.replace(/\//g, '\\/')} \\{\\s*(rewrite [^;]+;\\s*)?proxy_pass http://\\$${service}_service;`,
      );
      expect(template).toMatch(block);
    }
  });

  it('hands every exact path of the topology to its service under the path it serves', () => {
    const escape = (path: string) => path.replace(/[./]/g, (c) => `\\${c}`);
    for (const { path, service, to } of EXACT_ROUTES) {
      expect(template).toMatch(
        new RegExp(
          `location = ${escape(path)} \\{\\s*rewrite \\^ ${escape(to)} break;\\s*proxy_pass http://\\$${service}_service;`,
        ),
      );
    }
  });

  it('passes Authorization through and verifies nothing itself', () => {
    expect(template).not.toMatch(/auth_request|proxy_set_header Authorization|auth_jwt/);
  });

  it('passes the W3C trace context on, on the public and the internal listener', () => {
    expect(template.match(/proxy_set_header traceparent \$http_traceparent;/g)).toHaveLength(2);
    expect(template.match(/proxy_set_header tracestate \$http_tracestate;/g)).toHaveLength(2);
  });
});

describe('the gateway on nginx, with the local stack’s upstream groups', () => {
  // Two stand-in replicas per service that echo the path they received and name themselves.
  const replicas: Server[] = [];
  const addresses = {} as Record<ServiceName, string[]>;
  let dir: string;
  let gateway: RunningGateway;

  beforeAll(async () => {
    for (const service of SERVICE_NAMES) {
      addresses[service] = [];
      for (const n of [1, 2]) {
        const server = createServer((req, res) => {
          res.setHeader('x-served-by', `${service}-${n}`);
          res.setHeader('x-seen-forwarded-for', req.headers['x-forwarded-for'] ?? '');
          res.end(req.url);
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        replicas.push(server);
        const { port } = server.address() as { port: number };
        addresses[service].push(`127.0.0.1:${port}`);
      }
    }
    dir = await mkdtemp(join(tmpdir(), 'dja-gateway-'));
    gateway = await startGatewayIn(dir, dir);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(replicas.map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  /** nginx in `workDir` with the replicas above as its upstreams, serving the console root. */
  async function startGatewayIn(workDir: string, consoleRoot: string): Promise<RunningGateway> {
    const discovery = localServiceDiscovery(addresses);
    return startGateway(workDir, await freePort(), await freePort(), discovery, consoleRoot);
  }

  it('routes each path to its service, strips /auth, keeps the query, and balances', async () => {
    const answer = async (path: string) => {
      const response = await fetch(`${gateway.url}${path}`);
      return `${response.headers.get('x-served-by')?.replace(/-\d$/, '')} ${await response.text()}`;
    };
    expect(await answer('/auth/login?next=1')).toBe('auth /login?next=1');
    expect(await answer('/orders/42')).toBe('orders /orders/42');
    expect(await answer('/profile/me')).toBe('profile /profile/me');
    expect(await answer('/profiles/7')).toBe('profile /profiles/7');
    expect(await answer('/notifications')).toBe('notifications /notifications');
    const servedBy = new Set<string | null>();
    for (let i = 0; i < 4; i++) {
      servedBy.add((await fetch(`${gateway.url}/orders`)).headers.get('x-served-by'));
    }
    expect([...servedBy].sort()).toEqual(['orders-1', 'orders-2']);
    const internal = await fetch(`${gateway.internalUrl}/auth/internal/revocations`);
    expect(await internal.text()).toBe('/internal/revocations');
  });

  it('replaces the X-Forwarded-For a client sends with the address it saw', async () => {
    const response = await fetch(`${gateway.url}/auth/register`, {
      headers: { 'X-Forwarded-For': '203.0.113.7, 198.51.100.1' },
    });
    expect(response.headers.get('x-seen-forwarded-for')).toBe('127.0.0.1');
  });

  it('serves the console from a checkout that nginx’s workers cannot enter', async () => {
    // A built console inside a directory only its owner may enter, as under `mktemp -d`: run as
    // root, nginx's workers (nobody) could not read it there.
    const checkout = await mkdtemp(join(tmpdir(), 'dja-checkout-'));
    const consoleRoot = join(checkout, 'dist/apps/console');
    await mkdir(join(consoleRoot, 'assets'), { recursive: true });
    await writeFile(join(consoleRoot, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(consoleRoot, 'assets/app-1a2b.js'), 'console.log("hi");', { mode: 0o600 });
    await chmod(checkout, 0o700);
    const consoleGateway = await startGatewayIn(join(dir, 'private-console'), consoleRoot);
    try {
      const page = await fetch(`${consoleGateway.url}/`);
      expect({ status: page.status, body: await page.text() }).toEqual({
        status: 200,
        body: '<!doctype html><title>console</title>',
      });
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const script = await fetch(`${consoleGateway.url}/assets/app-1a2b.js`);
      expect({ status: script.status, body: await script.text() }).toEqual({
        status: 200,
        body: 'console.log("hi");',
      });
    } finally {
      await consoleGateway.stop();
      await rm(checkout, { recursive: true, force: true });
    }
  }, 60_000);
});
