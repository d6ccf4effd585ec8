import { hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from 'pg';
import { databaseUrl } from '../postgres';
import { testPostgresUrl } from './server-env';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * A fresh database with a service's schema, for one test file. The Prisma migrations in
 * `migrationsDir` are applied once per server into a template named after their content, and
 * each test database is a copy of it (`CREATE DATABASE … TEMPLATE`), which takes milliseconds.
 */
export async function createMigratedTestDatabase(migrationsDir: string): Promise<TestDatabase> {
  return createTestDatabase({ template: await ensureTemplate(migrationsDir) });
}

async function ensureTemplate(migrationsDir: string): Promise<string> {
  const migrations = readdirSync(migrationsDir)
    .filter((entry) => /^\d+_/.test(entry))
    .sort()
    .map((entry) => readFileSync(join(migrationsDir, entry, 'migration.sql'), 'utf8'));
  const digest = hash('sha256', migrations.join('\0')).slice(0, 16);
  const service = basename(join(migrationsDir, '../..'))
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase();
  const name = `${service}_template_${digest}`;

  const server = new Client({ connectionString: testPostgresUrl() });
  await server.connect();
  try {
    // Test files run in parallel workers: one builds the template, the others wait for it.
    await server.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    const exists = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      // Built under another name and renamed when complete, so a crash leaves no half template.
      const building = `${name}_building`;
      await server.query(`DROP DATABASE IF EXISTS ${building}`);
      await server.query(`CREATE DATABASE ${building}`);
      const database = new Client({ connectionString: databaseUrl(testPostgresUrl(), building) });
      await database.connect();
      try {
        for (const sql of migrations) await database.query(sql);
      } finally {
        await database.end();
      }
      await server.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    }
    return name;
  } finally {
    await server.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    await server.end();
  }
}
