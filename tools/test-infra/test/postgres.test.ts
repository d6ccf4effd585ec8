import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createDatabase,
  dropDatabase,
  POSTGRES_NOT_FOUND_MESSAGE,
  startPostgres,
  type PostgresServer,
} from '../src/postgres';

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server.stop());

  it('serves superuser connections to the database postgres on 127.0.0.1', async () => {
    expect(server.url).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    const [row] = await query(
      server.url,
      'select 1 as one, current_setting($$is_superuser$$) as su',
    );
    expect(row).toEqual({ one: 1, su: 'on' });
  });

  it('creates a fresh database with a unique name for each call', async () => {
    const first = await createDatabase(server.url);
    const second = await createDatabase(server.url);
    expect(first).not.toBe(second);
    await query(first, 'create table marker (id int)');
    const tables = await query(second, `select 1 from pg_tables where tablename = 'marker'`);
    expect(tables).toEqual([]);
    await Promise.all([dropDatabase(server.url, first), dropDatabase(server.url, second)]);
  });

  it('copies a template database, schema and rows', async () => {
    const template = await createDatabase(server.url, { name: 'dja_template_test' });
    await query(template, 'create table account (id int); insert into account values (7)');
    const copy = await createDatabase(server.url, { template: 'dja_template_test' });
    expect(await query(copy, 'select id from account')).toEqual([{ id: 7 }]);
    await dropDatabase(server.url, copy);
    await dropDatabase(server.url, 'dja_template_test');
  });

  it('drops a database even while a session is still connected to it', async () => {
    const url = await createDatabase(server.url);
    const forgotten = new Client({ connectionString: url });
    forgotten.on('error', () => {}); // terminated by DROP ... WITH (FORCE)
    await forgotten.connect();
    await dropDatabase(server.url, url);
    const name = new URL(url).pathname.slice(1);
    expect(await query(server.url, `select 1 from pg_database where datname = '${name}'`)).toEqual(
      [],
    );
    await forgotten.end().catch(() => {});
  });

  it('refuses database names that are not plain identifiers', async () => {
    await expect(
      createDatabase(server.url, { name: 'x"; drop database postgres; --' }),
    ).rejects.toThrow(/Not a plain PostgreSQL identifier/);
  });
});

describe('startPostgres lifecycle', () => {
  it('stops the server for good, and a second stop is harmless', async () => {
    // A server of its own even where TEST_DATABASE_URL names a shared one.
    const server = await startPostgres({ env: { ...process.env, TEST_DATABASE_URL: '' } });
    await server.stop();
    await server.stop();
    await expect(query(server.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('uses TEST_DATABASE_URL instead of starting a server', async () => {
    const url = 'postgres://app:secret@db.example:6543/postgres';
    const server = await startPostgres({ env: { TEST_DATABASE_URL: url }, binDirs: [] });
    expect(server).toMatchObject({ url, port: 6543 });
    await server.stop();
  });

  it('says what to install when the server binaries are missing', async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'dja-no-pg-'));
    try {
      await expect(startPostgres({ env: { PATH: emptyDir }, binDirs: [emptyDir] })).rejects.toThrow(
        POSTGRES_NOT_FOUND_MESSAGE,
      );
    } finally {
      await rm(emptyDir, { recursive: true });
    }
    expect(POSTGRES_NOT_FOUND_MESSAGE).toContain('apt-get install -y postgresql');
    expect(POSTGRES_NOT_FOUND_MESSAGE).toContain('TEST_DATABASE_URL=');
  });
});
