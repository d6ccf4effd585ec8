import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SERVICE_CLIENTS, SERVICES } from '@dja/stack';
import { dockerCompose, ROOT } from './repository';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'infra/compose/make-secrets.sh');

describe('infra/compose/make-secrets.sh', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dja-secrets-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every secret file docker-compose.yml mounts', async () => {
    await run('sh', [SCRIPT, dir]);
    const compose = parse(await dockerCompose(['config'])) as {
      secrets: Record<string, { file: string }>;
    };
    const wanted = Object.values(compose.secrets).map((secret) => basename(secret.file));
    expect((await readdir(dir)).sort()).toEqual(wanted.sort());
    // docker-compose (Python) takes seconds to start on a busy machine.
  }, 60_000);

  it('gives each resource service the client the auth service knows, with the topology scopes', async () => {
    await run('sh', [SCRIPT, dir]);
    const clients = JSON.parse(await readFile(join(dir, 'service_clients.json'), 'utf8')) as Array<{
      id: string;
      secret: string;
      scopes: string[];
      audience: string[];
    }>;
    const expected = await Promise.all(
      Object.entries(SERVICE_CLIENTS).map(async ([service, client]) => ({
        id: SERVICES[service as keyof typeof SERVICE_CLIENTS].app,
        secret: await readFile(join(dir, `${service}_client_secret`), 'utf8'),
        scopes: [...client.scopes],
        audience: [...client.audience],
      })),
    );
    expect(clients).toEqual(expected);
    for (const client of clients) expect(client.secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('keeps existing secrets: signing keys stay readable under the same key_encryption_secret', async () => {
    await run('sh', [SCRIPT, dir]);
    const before = await readFile(join(dir, 'key_encryption_secret'), 'utf8');
    const { stdout } = await run('sh', [SCRIPT, dir]);
    expect(await readFile(join(dir, 'key_encryption_secret'), 'utf8')).toBe(before);
    expect(stdout).not.toContain('created');
  });
});
