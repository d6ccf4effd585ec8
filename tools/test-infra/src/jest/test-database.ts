import { createDatabase, dropDatabase } from '../postgres';
import { testPostgresUrl } from './server-env';

export interface TestDatabase {
  /** URL of a database no other test file uses. */
  url: string;
  /** Drops the database, disconnecting any sessions left open. */
  drop(): Promise<void>;
}

/**
 * A fresh database on the run's PostgreSQL server, so test files running in parallel share no
 * rows. Pass `template` to copy a database prepared once (e.g. migrated); PostgreSQL refuses to
 * copy a template that has open connections.
 *
 * ```ts
 * let db: TestDatabase;
 * beforeAll(async () => (db = await createTestDatabase()));
 * afterAll(() => db.drop());
 * ```
 */
export async function createTestDatabase(
  options: { template?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = testPostgresUrl();
  const url = await createDatabase(serverUrl, options);
  return { url, drop: () => dropDatabase(serverUrl, url) };
}
