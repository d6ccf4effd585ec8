import { z } from 'zod';
import { ConfigError, env, loadConfig } from './index';

const schema = z.object({
  PORT: env.port(3000),
  DATABASE_URL: env.postgresUrl(),
  KEY_ENCRYPTION_SECRET: z.string().min(32),
  ENABLE_X: env.boolean(false),
  AUDIENCES: env.list().default([]),
});

describe('loadConfig', () => {
  it('parses and defaults every variable', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://localhost/auth',
      KEY_ENCRYPTION_SECRET: 'x'.repeat(32),
      AUDIENCES: 'orders, profile',
      ENABLE_X: 'yes',
    });
    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://localhost/auth',
      KEY_ENCRYPTION_SECRET: 'x'.repeat(32),
      ENABLE_X: true,
      AUDIENCES: ['orders', 'profile'],
    });
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', KEY_ENCRYPTION_SECRET: '' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names.sort()).toEqual(['DATABASE_URL', 'KEY_ENCRYPTION_SECRET', 'PORT']);
    }
  });

  it('never echoes a secret value in its message', () => {
    const secret = 'hunter2-is-too-short';
    expect(() =>
      loadConfig(schema, { DATABASE_URL: 'postgres://x', KEY_ENCRYPTION_SECRET: secret }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
  });
});

describe('env.trustedProxies', () => {
  const proxies = z.object({ TRUSTED_PROXIES: env.trustedProxies('127.0.0.1/8,::1/128') });

  it('defaults to the loopback blocks', () => {
    expect(loadConfig(proxies, {}).TRUSTED_PROXIES).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('accepts addresses and CIDR blocks of both families', () => {
    const config = loadConfig(proxies, { TRUSTED_PROXIES: '10.0.0.7, 172.16.0.0/12,fd00::/8' });
    expect(config.TRUSTED_PROXIES).toEqual(['10.0.0.7', '172.16.0.0/12', 'fd00::/8']);
  });

  it.each(['true', '*', 'loopback', 'gateway', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129'])(
    'refuses %s, which is not an address or a CIDR block',
    (value) => {
      expect(() => loadConfig(proxies, { TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES/);
    },
  );
});
