import type { Pool, PoolClient } from 'pg';
import type { SqlClient, TransactionalClient } from '../src';

/** The outbox's Prisma-shaped SQL interface over a plain `pg` pool, for this library's tests. */
export function pgSqlClient(pool: Pool): TransactionalClient {
  const over = (db: Pool | PoolClient): SqlClient => ({
    $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) =>
      (await db.query(sql, values)).rows as T,
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) =>
      (await db.query(sql, values)).rowCount ?? 0,
  });
  return {
    ...over(pool),
    async $transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(over(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export const OUTBOX_DDL = `CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  published_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  trace_context jsonb
)`;
