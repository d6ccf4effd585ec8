import { join } from 'node:path';
import { ConfigError, loadConfig } from '@dja/config';
import { describeSettingsTable } from '@dja/config/testing';
import { configSchema } from './config';

const VALID = {
  DATABASE_URL: 'postgres://auth@localhost/auth',
  ISSUER: 'http://127.0.0.1:8080/auth/',
  KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(configSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.split(':')[0]!).sort();
    throw error;
  }
  return [];
}

describe('the auth configuration', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(configSchema, VALID)).toMatchObject({
      PORT: 3000,
      ISSUER: 'http://127.0.0.1:8080/auth',
      ACCESS_TOKEN_TTL: 300,
      ACCESS_TOKEN_AUDIENCE: ['orders', 'profile', 'notifications', 'auth'],
      USER_SCOPES: ['orders:read', 'orders:write', 'profile:me', 'notifications:read'],
      KEY_ACTIVATION_DELAY: 120,
      KEY_ROTATION_INTERVAL: 86_400,
      SERVICE_CLIENTS: [],
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
    });
  });

  it('parses SERVICE_CLIENTS from JSON', () => {
    const clients = [
      {
        id: 'orders-service',
        secret: 's'.repeat(32),
        scopes: ['revocations:read'],
        audience: ['auth'],
      },
    ];
    expect(
      loadConfig(configSchema, { ...VALID, SERVICE_CLIENTS: JSON.stringify(clients) })
        .SERVICE_CLIENTS,
    ).toEqual(clients);
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'mysql://x',
        ISSUER: 'not a url',
        KEY_ENCRYPTION_SECRET: 'short',
        ACCESS_TOKEN_TTL: '-5',
        SERVICE_CLIENTS: '{not json',
      }),
    ).toEqual([
      'ACCESS_TOKEN_TTL',
      'DATABASE_URL',
      'ISSUER',
      'KEY_ENCRYPTION_SECRET',
      'SERVICE_CLIENTS',
    ]);
  });

  it('refuses service clients with short secrets or duplicate ids, naming the variable', () => {
    const weak = [{ id: 'a', secret: 'short', scopes: [], audience: ['auth'] }];
    expect(problemsOf({ ...VALID, SERVICE_CLIENTS: JSON.stringify(weak) })[0]).toMatch(
      /^SERVICE_CLIENTS/,
    );
    const client = { id: 'a', secret: 's'.repeat(32), scopes: [], audience: ['auth'] };
    expect(problemsOf({ ...VALID, SERVICE_CLIENTS: JSON.stringify([client, client]) })).toEqual([
      'SERVICE_CLIENTS',
    ]);
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together', () => {
    expect(problemsOf({ ...VALID, ADMIN_EMAIL: 'admin@example.com' })).toEqual(['ADMIN_PASSWORD']);
  });

  it('refuses an idle lifetime longer than the absolute one', () => {
    expect(
      problemsOf({ ...VALID, REFRESH_TOKEN_IDLE_TTL: '100', REFRESH_TOKEN_ABSOLUTE_TTL: '50' }),
    ).toEqual(['REFRESH_TOKEN_IDLE_TTL']);
  });

  it('never echoes a secret in its error', () => {
    const secret = 'too-short-secret';
    expect(() => loadConfig(configSchema, { ...VALID, KEY_ENCRYPTION_SECRET: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});

describeSettingsTable(configSchema, join(__dirname, 'config.ts'));
