import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, testPostgresUrl } from '@dja/test-infra';
import { Client } from 'pg';

const MIGRATIONS_DIR = join(__dirname, '../../prisma/migrations');

/**
 * A fresh database with the auth schema, for one test file. The migrations are applied once per
 * server into a template named after their content, and each test database is a copy of it
 * (`CREATE DATABASE … TEMPLATE`), which takes milliseconds.
 */
export async function createMigratedDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ template: await ensureTemplate() });
}

async function ensureTemplate(): Promise<string> {
  const migrations = readdirSync(MIGRATIONS_DIR)
    .filter((entry) => /^\d+_/.test(entry))
    .sort()
    .map((entry) => readFileSync(join(MIGRATIONS_DIR, entry, 'migration.sql'), 'utf8'));
  const digest = createHash('sha256').update(migrations.join('\0')).digest('hex').slice(0, 16);
  const name = `auth_service_template_${digest}`;

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
      const url = new URL(testPostgresUrl());
      url.pathname = `/${building}`;
      const database = new Client({ connectionString: url.toString() });
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
