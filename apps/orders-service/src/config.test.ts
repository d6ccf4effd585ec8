import { join } from 'node:path';
import { loadConfig } from '@dja/config';
import { describeSettingsTable } from '@dja/config/testing';
import { configSchema } from './config';

const VALID = {
  DATABASE_URL: 'postgres://orders@127.0.0.1:5432/orders',
  AMQP_URL: 'amqp://127.0.0.1:5672',
  AUTH_ISSUER: 'http://127.0.0.1:8080/auth/',
  AUTH_URL: 'http://127.0.0.1:3001',
  CLIENT_ID: 'orders-service',
  CLIENT_SECRET: 'orders-secret-0123456789-abcdefghijkl',
};

describe('the orders configuration', () => {
  it('applies the defaults', () => {
    const config = loadConfig(configSchema, VALID);
    expect(config).toMatchObject({
      PORT: 3000,
      AUDIENCE: 'orders',
      AUTH_ISSUER: 'http://127.0.0.1:8080/auth',
      OUTBOX_POLL_INTERVAL_MS: 500,
      JWKS_COOLDOWN: 30,
      JWKS_MAX_AGE: 600,
      JWKS_STALE_IF_ERROR: 86_400,
    });
    expect(loadConfig(configSchema, { ...VALID, JWKS_MAX_AGE: '120' }).JWKS_MAX_AGE).toBe(120);
  });

  it('names every bad variable without echoing values', () => {
    const attempt = () =>
      loadConfig(configSchema, {
        ...VALID,
        DATABASE_URL: 'mysql://secret-password@db',
        CLIENT_SECRET: 'short',
        OUTBOX_POLL_INTERVAL_MS: 'often',
      });
    expect(attempt).toThrow(/DATABASE_URL/);
    expect(attempt).toThrow(/CLIENT_SECRET/);
    expect(attempt).toThrow(/OUTBOX_POLL_INTERVAL_MS/);
    expect(attempt).not.toThrow(/secret-password/);
  });

  it('names a missing variable', () => {
    const { AMQP_URL: _omitted, ...rest } = VALID;
    expect(() => loadConfig(configSchema, rest)).toThrow(/AMQP_URL/);
  });
});

describeSettingsTable(configSchema, join(__dirname, 'config.ts'));
