import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localServiceDiscovery, renderGatewayConfig } from './gateway';
import { ROUTES, SERVICE_NAMES, type ServiceName } from './topology';

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

  it('passes Authorization through and verifies nothing itself', () => {
    expect(template).not.toMatch(/auth_request|proxy_set_header Authorization|auth_jwt/);
  });
});
