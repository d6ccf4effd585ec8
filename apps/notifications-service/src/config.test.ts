import { join } from 'node:path';
import { ConfigError, loadConfig } from '@dja/config';
import { describeSettingsTable } from '@dja/config/testing';
import { configSchema } from './config';

const VALID = {
  DATABASE_URL: 'postgres://notifications@127.0.0.1:5432/notifications',
  AMQP_URL: 'amqp://127.0.0.1:5672',
  AUTH_ISSUER: 'http://127.0.0.1:8080/auth/',
  AUTH_URL: 'http://127.0.0.1:3000',
  CLIENT_ID: 'notifications-service',
  CLIENT_SECRET: 'notifications-secret-0123456789-abcdefghij',
  PROFILE_URL: 'http://127.0.0.1:3002/',
};

describe('the notifications configuration', () => {
  it('applies defaults and trims trailing slashes from URLs', () => {
    const config = loadConfig(configSchema, VALID);

    expect(config.PROFILE_URL).toBe('http://127.0.0.1:3002');
    expect(config.AUTH_ISSUER).toBe('http://127.0.0.1:8080/auth');
    expect(config.PROFILE_TIMEOUT_MS).toBe(2000);
    expect(config.EVENT_MAX_ATTEMPTS).toBe(8);
  });

  it('names every missing or invalid variable', () => {
    const load = () =>
      loadConfig(configSchema, { ...VALID, PROFILE_URL: undefined, EVENT_MAX_ATTEMPTS: '0' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PROFILE_URL/);
    expect(load).toThrow(/EVENT_MAX_ATTEMPTS/);
  });
});

describeSettingsTable(configSchema, join(__dirname, 'config.ts'));
