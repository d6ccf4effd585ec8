import { hash, randomUUID } from 'node:crypto';
import { ProblemError } from '@dja/http';
import { createEvent, enqueueEvent } from '@dja/messaging';
import type { Clock } from '../clock';
import { type Database, isUniqueViolation } from '../database';
import type { Order as OrderRow } from '../generated/prisma/client';
import { type Order, type OrderItem, toOrder } from './order';

export interface CreateOrderRequest {
  userId: string;
  items: OrderItem[];
  idempotencyKey?: string;
}

export interface CreateOrderOutcome {
  order: Order;
  /** True when an earlier request with the same Idempotency-Key created the order. */
  replayed: boolean;
}

/**
 * Creates an order and, in the same transaction, its `order.created` event in the outbox.
 *
 * With an Idempotency-Key (scoped to the user), a retry gets the order the first request made.
 * The unique (user_id, idempotency_key) constraint settles concurrent retries: the losers'
 * inserts wait for the winner's commit, fail, roll back their event and answer as replays.
 */
export async function createOrder(
  deps: { db: Database; clock: Clock },
  request: CreateOrderRequest,
): Promise<CreateOrderOutcome> {
  const { userId, items, idempotencyKey } = request;
  const requestHash = idempotencyKey === undefined ? null : hashRequest(items);
  if (idempotencyKey !== undefined) {
    const earlier = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
    if (earlier) return replay(earlier, requestHash);
  }

  const id = randomUUID();
  const createdAt = deps.clock();
  try {
    const row = await deps.db.$transaction(async (tx) => {
      const created = await tx.order.create({
        data: {
          id,
          userId,
          items: items.map(({ sku, quantity }) => ({ sku, quantity })),
          status: 'created',
          createdAt,
          idempotencyKey: idempotencyKey ?? null,
          requestHash,
        },
      });
      const data = { orderId: id, userId, items, createdAt: createdAt.toISOString() };
      await enqueueEvent(tx, createEvent('order.created', data, createdAt));
      return created;
    });
    return { order: toOrder(row), replayed: false };
  } catch (error) {
    if (idempotencyKey === undefined || !isUniqueViolation(error)) throw error;
    const winner = await findByIdempotencyKey(deps.db, userId, idempotencyKey);
    if (!winner) throw error;
    return replay(winner, requestHash);
  }
}

function findByIdempotencyKey(db: Database, userId: string, idempotencyKey: string) {
  return db.order.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
}

function replay(earlier: OrderRow, requestHash: string | null): CreateOrderOutcome {
  if (earlier.requestHash !== requestHash) {
    // draft-ietf-httpapi-idempotency-key-header §2.7: a reused key with another payload is 422.
    throw new ProblemError(422, {
      code: 'idempotency_key_reused',
      title: 'Idempotency key reused',
      detail: 'This Idempotency-Key was already used with a different request body.',
    });
  }
  return { order: toOrder(earlier), replayed: true };
}

/** SHA-256 of the validated items, so that formatting and dropped members do not count. */
function hashRequest(items: OrderItem[]): string {
  const normalised = items.map(({ sku, quantity }) => [sku, quantity]);
  return hash('sha256', JSON.stringify(normalised));
}
