import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createDatabase,
  freePort,
  type PostgresServer,
  type RabbitMQServer,
  startPostgres,
  startRabbitMQ,
} from '@dja/test-infra';
import { CONSOLE_ROOT, type RunningGateway, localServiceDiscovery, startGateway } from './gateway';
import { Replica } from './replica';
import { SERVICE_CLIENTS, SERVICE_NAMES, SERVICES, type ServiceName } from './topology';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

/** Variables a user may set for `npm run stack` that reach every service that reads them. */
export const PASSED_THROUGH = [
  'ACCESS_TOKEN_TTL',
  'SIGNING_KEY_FILE',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'LOG_LEVEL',
  'KEY_ROTATION_INTERVAL',
  'KEY_ACTIVATION_DELAY',
  'KEY_RELOAD_INTERVAL',
  'CLOCK_TOLERANCE',
  'REFRESH_TOKEN_IDLE_TTL',
  'REFRESH_TOKEN_ABSOLUTE_TTL',
  'JWKS_COOLDOWN',
  'JWKS_MAX_AGE',
  'JWKS_STALE_IF_ERROR',
  'REGISTRATION_MAX_PER_ADDRESS',
  'REGISTRATION_WINDOW',
  'CLIENT_MAX_FAILED_AUTHENTICATIONS',
  'CLIENT_FAILURE_WINDOW',
] as const;

/**
 * Where the local stack departs from the services' defaults, unless the user sets the variable.
 * Load tests, benchmarks and the test suites sign up hundreds of users from 127.0.0.1.
 */
const STACK_DEFAULTS = { REGISTRATION_MAX_PER_ADDRESS: '100000' };

/** The gateway's address: the only peer whose X-Forwarded-For the services believe. */
const GATEWAY_ADDRESS = '127.0.0.1';

/**
 * The standard OpenTelemetry variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER…) reach
 * every replica as they are; without an endpoint tracing stays off. Each replica is named for its
 * service and instance, whatever OTEL_SERVICE_NAME says: one name for all would merge them.
 */
export function telemetryEnv(
  env: NodeJS.ProcessEnv,
  app: string,
  instance: string,
): Record<string, string> {
  const passed = Object.entries(env).filter(
    (entry): entry is [string, string] => entry[0].startsWith('OTEL_') && entry[1] !== undefined,
  );
  const attributes = [env.OTEL_RESOURCE_ATTRIBUTES, `service.instance.id=${instance}`];
  return {
    ...Object.fromEntries(passed),
    OTEL_SERVICE_NAME: app,
    OTEL_RESOURCE_ATTRIBUTES: attributes.filter(Boolean).join(','),
  };
}

export interface StackOptions {
  replicas?: Partial<Record<ServiceName, number>>;
  /** Gateway port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Usually process.env: PASSED_THROUGH variables and server URLs are read from it. */
  env?: NodeJS.ProcessEnv;
  /** Told about each step as it happens. */
  onProgress?: (message: string) => void;
  /** Aborting stops whatever has been started and rejects. */
  signal?: AbortSignal;
}

export interface Stack {
  gatewayUrl: string;
  /** The gateway's internal listener, which services use to reach each other. */
  internalUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: Replica[];
  replicasOf(service: ServiceName): Replica[];
  postgres: PostgresServer;
  rabbitmq: RabbitMQServer;
  dir: string;
  stop(): Promise<void>;
}

/**
 * The whole system as processes on this machine: PostgreSQL and RabbitMQ (throw-away, or the
 * servers named by DATABASE_SERVER_URL and AMQP_URL), each service's migrations, every replica,
 * and the nginx gateway. A failure of any part stops what was started and names the part.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = options.env ?? process.env;
  const dir = await mkdtemp(join(tmpdir(), 'dja-stack-'));
  const startUp = new StartUp(dir, options);

  const { postgres, rabbitmq } = await startUp.step('starting PostgreSQL and RabbitMQ', () =>
    startServers(env),
  );
  startUp.onStop(
    () => postgres.stop(),
    () => rabbitmq.stop(),
  );
  const databases = await startUp.step('creating databases and applying migrations', () =>
    createDatabases(postgres.url, env),
  );

  const addresses = await allocateAddresses(options.port);
  const admin = {
    email: env.ADMIN_EMAIL ?? 'admin@example.com',
    password: env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url'),
  };
  await mkdir(join(dir, 'logs'), { recursive: true });
  const counts = replicaCounts(options.replicas);
  const replicas = await planReplicas({
    env,
    dir,
    counts,
    databases,
    amqpUrl: rabbitmq.url,
    addresses,
    admin,
    secrets: generateSecrets(),
  });
  const replicasOf = (service: ServiceName) =>
    replicas.filter((r) => r.spec.app === SERVICES[service].app);

  const gateway: RunningGateway = await startUp.step('starting the nginx gateway', () =>
    startGateway(
      join(dir, 'gateway'),
      addresses.gatewayPort,
      addresses.internalPort,
      localServiceDiscovery(upstreams(replicasOf)),
      CONSOLE_ROOT,
    ),
  );
  // Stopped in reverse: the replicas first, then the gateway, the broker and the database.
  startUp.onStop(
    () => gateway.stop(),
    () => Promise.all(replicas.map((replica) => replica.stop())).then(() => undefined),
  );

  // The auth service first: every other service loads its keys and revocations from it.
  for (const service of SERVICE_NAMES) {
    await startUp.step(`starting ${SERVICES[service].app} x${counts[service]}`, () =>
      Promise.all(replicasOf(service).map((replica) => replica.start())),
    );
  }

  return {
    gatewayUrl: addresses.gatewayUrl,
    internalUrl: addresses.internalUrl,
    issuer: addresses.issuer,
    admin,
    replicas,
    replicasOf,
    postgres,
    rabbitmq,
    dir,
    stop: () => startUp.stopAll(),
  };
}

/**
 * The steps of a start-up, in order, each told to `onProgress`. The first that fails (or an
 * abort) stops whatever the earlier ones started, last first, and names the step.
 */
class StartUp {
  private readonly stoppers: Array<() => Promise<void>> = [];

  constructor(
    private readonly dir: string,
    private readonly options: StackOptions,
  ) {}

  async step<T>(part: string, action: () => Promise<T>): Promise<T> {
    this.options.onProgress?.(part);
    try {
      this.options.signal?.throwIfAborted();
      const result = await action();
      this.options.signal?.throwIfAborted();
      return result;
    } catch (error) {
      await this.stopAll();
      throw new Error(`stack: ${part} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  onStop(...stoppers: Array<() => Promise<void>>): void {
    this.stoppers.push(...stoppers);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stoppers.splice(0).reverse()) await stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function startServers(
  env: NodeJS.ProcessEnv,
): Promise<{ postgres: PostgresServer; rabbitmq: RabbitMQServer }> {
  const [postgres, rabbitmq] = await Promise.all([
    startPostgres({ env: { ...env, TEST_DATABASE_URL: env.DATABASE_SERVER_URL } }),
    startRabbitMQ({ env: { ...env, TEST_AMQP_URL: env.AMQP_URL } }),
  ]);
  return { postgres, rabbitmq };
}

/** A fresh database per service, migrated as its deployment job would. */
async function createDatabases(
  serverUrl: string,
  env: NodeJS.ProcessEnv,
): Promise<Record<ServiceName, string>> {
  const urls = {} as Record<ServiceName, string>;
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const app = SERVICES[service].app;
      urls[service] = await createDatabase(serverUrl, {
        name: `${app.replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`,
      });
      await migrate(app, urls[service], env);
    }),
  );
  return urls;
}

interface Addresses {
  gatewayPort: number;
  gatewayUrl: string;
  internalPort: number;
  internalUrl: string;
  issuer: string;
}

async function allocateAddresses(port: number | undefined): Promise<Addresses> {
  const gatewayPort = port === 0 ? await freePort() : (port ?? 8080);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const internalPort = await freePort();
  return {
    gatewayPort,
    gatewayUrl,
    internalPort,
    internalUrl: `http://127.0.0.1:${internalPort}`,
    issuer: `${gatewayUrl}/auth`,
  };
}

function replicaCounts(
  replicas: StackOptions['replicas'] | undefined,
): Record<ServiceName, number> {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, replicas?.[service] ?? SERVICES[service].replicas]),
  ) as Record<ServiceName, number>;
}

interface Secrets {
  keyEncryption: string;
  clients: Record<keyof typeof SERVICE_CLIENTS, string>;
}

function generateSecrets(): Secrets {
  return {
    keyEncryption: randomBytes(32).toString('base64url'),
    clients: Object.fromEntries(
      Object.keys(SERVICE_CLIENTS).map((service) => [
        service,
        randomBytes(32).toString('base64url'),
      ]),
    ) as Secrets['clients'],
  };
}

interface ReplicaPlan {
  env: NodeJS.ProcessEnv;
  dir: string;
  counts: Record<ServiceName, number>;
  databases: Record<ServiceName, string>;
  amqpUrl: string;
  addresses: Addresses;
  admin: Stack['admin'];
  secrets: Secrets;
}

/** Every replica of every service, on free ports, not started yet. */
async function planReplicas(plan: ReplicaPlan): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (const service of SERVICE_NAMES) {
    for (let i = 1; i <= plan.counts[service]; i++) {
      const port = await freePort();
      const operationsPort = await freePort();
      const app = SERVICES[service].app;
      replicas.push(
        new Replica({
          app,
          id: String(i),
          port,
          operationsPort,
          logFile: join(plan.dir, 'logs', `${app}-${i}.log`),
          env: replicaEnv(service, { id: i, port, operationsPort }, plan),
        }),
      );
    }
  }
  return replicas;
}

function replicaEnv(
  service: ServiceName,
  replica: { id: number; port: number; operationsPort: number },
  { env, databases, amqpUrl, addresses, admin, secrets }: ReplicaPlan,
): Record<string, string> {
  const app = SERVICES[service].app;
  const passed = Object.fromEntries(
    PASSED_THROUGH.flatMap((key) => (env[key] ? [[key, env[key]!]] : [])),
  );
  return {
    PATH: env.PATH ?? '',
    NODE_ENV: 'production',
    ...STACK_DEFAULTS,
    ...passed,
    ...telemetryEnv(env, app, `${app}-${replica.id}`),
    TRUSTED_PROXIES: GATEWAY_ADDRESS,
    PORT: String(replica.port),
    OPERATIONS_PORT: String(replica.operationsPort),
    HOST: '127.0.0.1',
    REPLICA_ID: String(replica.id),
    DATABASE_URL: databases[service],
    AMQP_URL: amqpUrl,
    ...(service === 'auth'
      ? {
          ISSUER: addresses.issuer,
          KEY_ENCRYPTION_SECRET: secrets.keyEncryption,
          ADMIN_EMAIL: admin.email,
          ADMIN_PASSWORD: admin.password,
          SERVICE_CLIENTS: JSON.stringify(
            Object.entries(SERVICE_CLIENTS).map(([name, client]) => ({
              id: `${SERVICES[name as ServiceName].app}`,
              secret: secrets.clients[name as keyof typeof SERVICE_CLIENTS],
              ...client,
            })),
          ),
        }
      : {
          AUTH_ISSUER: addresses.issuer,
          AUTH_URL: `${addresses.internalUrl}/auth`,
          CLIENT_ID: app,
          CLIENT_SECRET: secrets.clients[service],
          PROFILE_URL: addresses.internalUrl,
        }),
  };
}

/** Where the gateway finds each service: its replicas' addresses. */
function upstreams(replicasOf: (service: ServiceName) => Replica[]): Record<ServiceName, string[]> {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      replicasOf(service).map((r) => `127.0.0.1:${r.spec.port}`),
    ]),
  ) as Record<ServiceName, string[]>;
}

/** `prisma migrate deploy` for one service, as its deployment job would run it. */
async function migrate(app: string, databaseUrl: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/prisma/build/index.js'),
      'migrate',
      'deploy',
      '--config',
      `apps/${app}/prisma.config.ts`,
    ],
    { cwd: ROOT, env: { ...env, DATABASE_URL: databaseUrl }, maxBuffer: 10 * 1024 * 1024 },
  ).catch((error: { stderr?: string; stdout?: string; message: string }) => {
    const output = (error.stderr || error.stdout || error.message).trim();
    const hint = output.includes('binaries.prisma.sh')
      ? '\nThe Prisma CLI could not download its schema engine: set PRISMA_SCHEMA_ENGINE_BINARY (see README).'
      : '';
    throw new Error(`migrations of ${app}: ${output}${hint}`);
  });
}
