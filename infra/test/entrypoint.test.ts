import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './repository';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { replicaNumber } = require('../docker/replica-name.cjs') as {
  replicaNumber: (ptrName: string, service: string) => string | undefined;
};

const run = promisify(execFile);
const ENTRYPOINT = join(ROOT, 'infra/docker/entrypoint.sh');
const PRINT_ENV = ['node', '-e', 'process.stdout.write(JSON.stringify(process.env))'];

/** Runs the entrypoint with only `env` (and PATH) and a command that prints its environment. */
async function entrypoint(env: Record<string, string>): Promise<Record<string, string>> {
  const { stdout } = await run('sh', [ENTRYPOINT, ...PRINT_ENV], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(stdout) as Record<string, string>;
}

describe('infra/docker/entrypoint.sh', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dja-entrypoint-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sets NAME from the file NAME_FILE names, without its trailing newline', async () => {
    await writeFile(join(dir, 'secret'), 'a-secret-value\n');
    const env = await entrypoint({ KEY_ENCRYPTION_SECRET_FILE: join(dir, 'secret') });
    expect(env.KEY_ENCRYPTION_SECRET).toBe('a-secret-value');
    expect(env).not.toHaveProperty('KEY_ENCRYPTION_SECRET_FILE');
  });

  it('keeps a JSON secret intact (SERVICE_CLIENTS)', async () => {
    const clients = '[\n  {"id": "orders-service", "secret": "x y $z"}\n]';
    await writeFile(join(dir, 'clients'), clients);
    const env = await entrypoint({ SERVICE_CLIENTS_FILE: join(dir, 'clients') });
    expect(env.SERVICE_CLIENTS).toBe(clients);
  });

  it('leaves SIGNING_KEY_FILE alone: it is a setting (a path), not a secret to inline', async () => {
    const env = await entrypoint({ SIGNING_KEY_FILE: '/run/secrets/signing_key.pem' });
    expect(env.SIGNING_KEY_FILE).toBe('/run/secrets/signing_key.pem');
    expect(env).not.toHaveProperty('SIGNING_KEY');
  });

  it('names each replica after its container hostname unless REPLICA_ID is set', async () => {
    expect((await entrypoint({})).REPLICA_ID).toBe(hostname());
    expect((await entrypoint({ REPLICA_ID: 'orders-7' })).REPLICA_ID).toBe('orders-7');
  });

  it("reads the replica number from the container's DNS name under Compose v2 and v1", () => {
    expect(replicaNumber('dja-orders-service-2.dja_default', 'orders-service')).toBe('2');
    expect(replicaNumber('dja_orders-service_12.dja_default', 'orders-service')).toBe('12');
    expect(replicaNumber('my-app-auth-service-1.net', 'auth-service')).toBe('1');
  });

  it('finds no replica number in a name that is not the service’s', () => {
    expect(replicaNumber('dja-orders-service-2.dja_default', 'profile-service')).toBeUndefined();
    expect(replicaNumber('dja-xorders-service-2.net', 'orders-service')).toBeUndefined();
    expect(replicaNumber('3d6ffeed8ad0', 'orders-service')).toBeUndefined();
  });

  it('refuses both NAME and NAME_FILE', async () => {
    await writeFile(join(dir, 'secret'), 'from-file');
    await expect(
      entrypoint({ CLIENT_SECRET: 'inline', CLIENT_SECRET_FILE: join(dir, 'secret') }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('both CLIENT_SECRET and CLIENT_SECRET_FILE'),
    });
  });

  it('refuses a NAME_FILE that cannot be read, naming it', async () => {
    await expect(entrypoint({ ADMIN_PASSWORD_FILE: join(dir, 'missing') })).rejects.toMatchObject({
      stderr: expect.stringContaining('ADMIN_PASSWORD_FILE'),
    });
  });

  it('is executable, as the image runs it directly', async () => {
    expect((await stat(ENTRYPOINT)).mode & 0o111).toBe(0o111);
    await expect(run(ENTRYPOINT, ['true'])).resolves.toBeDefined();
  });
});
