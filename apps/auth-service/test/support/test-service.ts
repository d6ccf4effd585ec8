import { loadConfig } from '@dja/config';
import { listen } from '@dja/http';
import { captureLines, type TestDatabase } from '@dja/test-infra';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { type AuthConfig, configSchema } from '../../src/config';
import { createDependencies, type Dependencies, startRuntime } from '../../src/dependencies';
import { type TestClock, testClock } from './test-clock';
import { createMigratedDatabase } from './test-database';

export const ISSUER = 'http://127.0.0.1:8080/auth';

export const SERVICE_CLIENT = {
  id: 'notifications-service',
  secret: 'notifications-secret-0123456789-abcdefghij',
  scopes: ['profile:read', 'revocations:read'],
  audience: ['profile', 'auth'],
};

export const ADMIN = { email: 'admin@example.com', password: 'admin password for tests' };

/** A complete, valid environment; tests override single variables. */
export const TEST_ENV: Record<string, string> = {
  ISSUER,
  LOG_LEVEL: 'info',
  REPLICA_ID: 'test',
  KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-0123456789abcdef',
  SERVICE_CLIENTS: JSON.stringify([SERVICE_CLIENT]),
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  // Tests sign up many users and fail many client authentications from 127.0.0.1; the
  // throttles' own tests set their limits low.
  REGISTRATION_MAX_PER_ADDRESS: '1000',
  CLIENT_MAX_FAILED_AUTHENTICATIONS: '1000',
};

export interface TestService {
  app: Express;
  /** http://127.0.0.1:PORT of the running server. */
  url: string;
  deps: Dependencies;
  config: AuthConfig;
  clock: TestClock;
  database: TestDatabase;
  /** Everything the service logged, one JSON line per entry. */
  logs: string[];
  stop(): Promise<void>;
}

export interface TestServiceOptions {
  env?: Record<string, string | undefined>;
  clock?: TestClock;
  /** Share a database between several replicas; it is then not dropped by stop(). */
  database?: TestDatabase;
}

/**
 * The real service, in-process and wired as main.ts wires it: real PostgreSQL (a fresh
 * database), real keys, real HTTP on 127.0.0.1. Only the clock and the log are the test's. The
 * background jobs (key reload, scheduled rotation, outbox polling) are not started: tests run
 * them by hand when they need them, at the moment the test's clock says.
 */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const database = options.database ?? (await createMigratedDatabase());
  const clock = options.clock ?? testClock();
  const config = loadConfig(configSchema, {
    ...TEST_ENV,
    DATABASE_URL: database.url,
    ...options.env,
  });
  const { stream, lines: logs } = captureLines();
  const runtime = await startRuntime(config, { clock, logDestination: stream });
  const deps = await createDependencies(config, runtime);
  const app = createApp(deps);
  const running = await listen(app, 0, '127.0.0.1');
  return {
    app,
    url: running.url,
    deps,
    config,
    clock,
    database,
    logs,
    async stop() {
      await running.close();
      await deps.close();
      await runtime.close();
      if (!options.database) await database.drop();
    },
  };
}

/**
 * One service for all the tests of a file: started before the first, stopped after the last. The
 * object returned is filled in once the service has started.
 */
export function useTestService(options: TestServiceOptions = {}): TestService {
  const service = {} as TestService;
  beforeAll(async () => {
    Object.assign(service, await startTestService(options));
  });
  afterAll(() => service.stop());
  return service;
}

let emails = 0;

/** A unique address per call, so tests in one file never collide. */
export const uniqueEmail = (label = 'user') => `${label}-${++emails}@example.com`;

export interface LoggedInUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerAndLogIn(
  service: Pick<TestService, 'app'>,
  email = uniqueEmail(),
): Promise<LoggedInUser> {
  const password = 'correct horse battery staple';
  const registered = await request(service.app).post('/register').send({ email, password });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.text}`);
  const tokens = await logIn(service, email, password);
  return { id: registered.body.id, email, password, ...tokens };
}

export async function logIn(
  service: Pick<TestService, 'app'>,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await request(service.app).post('/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return { accessToken: res.body.access_token, refreshToken: res.body.refresh_token };
}

export function basicAuth(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** Decodes a JWT's payload without verifying it (to inspect what the service put in). */
export function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

export function jwtHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

/** A client_credentials access token of SERVICE_CLIENT, optionally narrowed to `scope`. */
export async function serviceAccessToken(
  service: Pick<TestService, 'app'>,
  scope?: string,
): Promise<string> {
  const res = await request(service.app)
    .post('/token')
    .set('Authorization', basicAuth(SERVICE_CLIENT.id, SERVICE_CLIENT.secret))
    .type('form')
    .send({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  if (res.status !== 200) throw new Error(`client_credentials: ${res.status} ${res.text}`);
  return res.body.access_token;
}

/** An access token of the admin account that the service created at start-up. */
export async function adminAccessToken(service: Pick<TestService, 'app'>): Promise<string> {
  return (await logIn(service, ADMIN.email, ADMIN.password)).accessToken;
}

/** RFC 6749 §6: a refresh with `refreshToken`, form-encoded as OAuth clients send it. */
export function refresh(service: Pick<TestService, 'app'>, refreshToken: string) {
  return request(service.app)
    .post('/token')
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** The session.revoked events in the outbox for session `sid`. */
export async function sessionRevokedEvents(service: Pick<TestService, 'deps'>, sid: string) {
  const events = await service.deps.db.outboxEvent.findMany({ where: { type: 'session.revoked' } });
  return events.filter((e) => (e.payload as { sessionId: string }).sessionId === sid);
}
