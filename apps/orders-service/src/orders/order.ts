import type { Order as OrderRow } from '../generated/prisma/client';

export interface OrderItem {
  sku: string;
  quantity: number;
}

/** An order as the API shows it. The owner and idempotency data stay internal. */
export interface Order {
  id: string;
  items: OrderItem[];
  status: 'created';
  createdAt: string;
}

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    items: row.items as unknown as OrderItem[],
    status: row.status as Order['status'],
    createdAt: row.createdAt.toISOString(),
  };
}
