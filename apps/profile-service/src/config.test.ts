import { join } from 'node:path';
import { ConfigError, loadConfig } from '@dja/config';
import { describeSettingsTable } from '@dja/config/testing';
import { configSchema } from './config';

const VALID = {
  DATABASE_URL: 'postgresql://profile:secret@127.0.0.1:5432/profile',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  AUTH_ISSUER: 'http://127.0.0.1:8080/auth/',
  AUTH_URL: 'http://127.0.0.1:3000',
  CLIENT_ID: 'profile-service',
  CLIENT_SECRET: 'profile-service-secret-0123456789abcdef',
};

describe('the profile configuration', () => {
  it('parses a valid environment with defaults', () => {
    const config = loadConfig(configSchema, VALID);
    expect(config).toMatchObject({
      PORT: 3000,
      AUTH_ISSUER: 'http://127.0.0.1:8080/auth',
      EVENT_MAX_ATTEMPTS: 5,
    });
  });

  it('names every bad variable', () => {
    const load = () =>
      loadConfig(configSchema, { ...VALID, DATABASE_URL: undefined, EVENT_MAX_ATTEMPTS: 'zero' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL/);
    expect(load).toThrow(/EVENT_MAX_ATTEMPTS/);
  });
});

describeSettingsTable(configSchema, join(__dirname, 'config.ts'));
