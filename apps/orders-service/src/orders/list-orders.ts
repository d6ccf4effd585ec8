import type { Database } from '../database';
import { encodeCursor, type OrderCursor } from './order-cursor';
import { type Order, toOrder } from './order';

export const DEFAULT_PAGE_SIZE = 20;

export interface OrderPage {
  items: Order[];
  /** Pass as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A user's orders, newest first, by keyset pagination on (created_at, id). */
export async function listOrders(
  db: Database,
  {
    userId,
    limit = DEFAULT_PAGE_SIZE,
    after,
  }: { userId: string; limit?: number; after?: OrderCursor },
): Promise<OrderPage> {
  const rows = await db.order.findMany({
    where: {
      userId,
      ...(after && {
        OR: [
          { createdAt: { lt: after.createdAt } },
          { createdAt: after.createdAt, id: { lt: after.id } },
        ],
      }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    // One more than asked tells whether there is a next page.
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toOrder),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

export async function findOrder(db: Database, userId: string, id: string): Promise<Order | null> {
  const row = await db.order.findFirst({ where: { id, userId } });
  return row && toOrder(row);
}
