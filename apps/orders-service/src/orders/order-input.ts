import { z } from 'zod';
import { cursor } from './order-cursor';

const orderItem = z.object({
  sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
  quantity: z.number().int().min(1).max(1000),
});

/** Body of POST /orders. Unknown members are dropped (and are not part of the request hash). */
export const createOrderBody = z.object({
  items: z.array(orderItem).min(1).max(50),
});

/** The Idempotency-Key header: 1-255 visible ASCII characters, taken literally. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters')
  .optional();

/** Query of GET /orders. A repeated parameter arrives as an array and is refused. */
export const listOrdersQuery = z.object({
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .optional(),
  cursor: cursor.optional(),
});
