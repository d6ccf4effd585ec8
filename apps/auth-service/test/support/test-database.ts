import { join } from 'node:path';
import { createMigratedTestDatabase, type TestDatabase } from '@dja/test-infra';

/** A fresh database with the auth schema, copied from a template migrated once per run. */
export function createMigratedDatabase(): Promise<TestDatabase> {
  return createMigratedTestDatabase(join(__dirname, '../../prisma/migrations'));
}
