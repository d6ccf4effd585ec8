import type { Database } from '../database';

const BATCH = 5000;

/**
 * Forgets the Idempotency-Key (and request hash) of every order created `ttlSeconds` or more
 * before `now`: a retry after that creates a new order, as after any expired key. The orders
 * themselves stay. In batches, so that a large backlog never holds locks for long; returns how
 * many keys were forgotten.
 */
export async function forgetExpiredIdempotencyKeys(
  db: Database,
  now: Date,
  ttlSeconds: number,
): Promise<number> {
  const cutoff = new Date(now.getTime() - ttlSeconds * 1000);
  let forgotten = 0;
  for (;;) {
    const updated = await db.$executeRaw`
      UPDATE orders SET idempotency_key = NULL, request_hash = NULL
      WHERE id IN (
        SELECT id FROM orders
        WHERE idempotency_key IS NOT NULL AND created_at <= ${cutoff}
        LIMIT ${BATCH}
      )`;
    forgotten += updated;
    if (updated < BATCH) return forgotten;
  }
}
