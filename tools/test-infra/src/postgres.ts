import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findBinDir, pathDirs, versionedDirs } from './find-binaries';
import { freePort } from './ports';
import { startReaper } from './reaper';
import { runCommand, shellQuote } from './run-command';

export interface StartPostgresOptions {
  /** Where TEST_DATABASE_URL and PATH are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Directories searched for `initdb` and `pg_ctl`. Default: /usr/lib/postgresql/<version>/bin,
   * newest first, then $PATH.
   */
  binDirs?: readonly string[];
}

export interface PostgresServer {
  /** Superuser URL of the database `postgres`, e.g. postgres://postgres@127.0.0.1:41234/postgres */
  url: string;
  port: number;
  /** Stops the throw-away cluster and deletes its files; a no-op for TEST_DATABASE_URL. Idempotent. */
  stop(): Promise<void>;
}

export const POSTGRES_NOT_FOUND_MESSAGE =
  'PostgreSQL server binaries not found. Install them with `apt-get install -y postgresql` ' +
  '(Debian) or set TEST_DATABASE_URL=postgres://user:pass@host:port/postgres to use an existing server.';

// Durability buys nothing for a cluster that is deleted after the run.
const SPEED_OVER_SAFETY = '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';

/**
 * Starts a throw-away PostgreSQL cluster on a free port of 127.0.0.1, or returns the server
 * named by TEST_DATABASE_URL without starting anything.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const env = options.env ?? process.env;
  const external = env.TEST_DATABASE_URL;
  if (external) {
    return { url: external, port: Number(new URL(external).port || 5432), stop: async () => {} };
  }

  const binDir = findBinDir(
    options.binDirs ?? [...versionedDirs('/usr/lib/postgresql', 'bin'), ...pathDirs(env)],
    ['initdb', 'pg_ctl'],
  );
  if (!binDir) throw new Error(POSTGRES_NOT_FOUND_MESSAGE);

  const dir = await mkdtemp(join(tmpdir(), 'dja-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  // initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
  const asOwner = (program: string, args: string[]): [string, string[]] =>
    process.getuid?.() === 0
      ? ['runuser', ['-u', 'postgres', '--', join(binDir, program), ...args]]
      : [join(binDir, program), args];
  const pgCtl = (args: string[]) => runCommand(...asOwner('pg_ctl', ['-D', dataDir, ...args]));
  const [stopFile, stopArgs] = asOwner('pg_ctl', ['-D', dataDir, 'stop', '-m', 'immediate']);
  const reaper = startReaper(
    `${[stopFile, ...stopArgs].map(shellQuote).join(' ')} >/dev/null 2>&1; rm -rf ${shellQuote(dir)}`,
  );

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await pgCtl(['stop', '-m', 'immediate', '-w']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
      reaper.cancel();
    })());

  try {
    if (process.getuid?.() === 0) await runCommand('chown', ['postgres:', dir]);
    await runCommand(
      ...asOwner('initdb', [
        '-D',
        dataDir,
        '--auth=trust',
        '-U',
        'postgres',
        '--no-sync',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ]),
    );
    const port = await startCluster(pgCtl, dir, logFile);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await stop();
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`, {
      cause: error,
    });
  }
}

async function startCluster(
  pgCtl: (args: string[]) => Promise<string>,
  socketDir: string,
  logFile: string,
): Promise<number> {
  // Another process may take the port between freePort() and the bind: try a fresh one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 ${SPEED_OVER_SAFETY}`;
    try {
      await pgCtl(['-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
      return port;
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      if (attempt >= 3 || !log.includes('Address already in use')) throw error;
    }
  }
}

export interface CreateDatabaseOptions {
  /** Default: a unique `dja_test_...` name. */
  name?: string;
  /** Copy this database (e.g. one a service migrated once) instead of `template1`. */
  template?: string;
}

let databaseCounter = 0;

/** Creates a database on the server of `serverUrl` and resolves with its URL. */
export async function createDatabase(
  serverUrl: string,
  options: CreateDatabaseOptions = {},
): Promise<string> {
  const name =
    options.name ??
    `dja_test_${process.pid}_${++databaseCounter}_${randomBytes(3).toString('hex')}`;
  const template = options.template ? ` TEMPLATE ${quoteIdentifier(options.template)}` : '';
  await withClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdentifier(name)}${template}`),
  );
  return databaseUrl(serverUrl, name);
}

/**
 * Drops a database by name or URL, disconnecting its sessions first (a pool a test forgot to
 * end must not block cleanup). Missing databases are ignored.
 */
export async function dropDatabase(serverUrl: string, nameOrUrl: string): Promise<void> {
  const name = nameOrUrl.includes('://')
    ? decodeURIComponent(new URL(nameOrUrl).pathname.slice(1))
    : nameOrUrl;
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  );
}

/** `serverUrl` with its database replaced by `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

// Only plain identifiers: names come from tests, and anything else is more likely a mistake
// (a URL passed as a name) than a database anyone wants.
function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`Not a plain PostgreSQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}
