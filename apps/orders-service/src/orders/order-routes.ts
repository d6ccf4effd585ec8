import { getPrincipal, requireScope } from '@dja/auth';
import { notFound, requireContentType, validate } from '@dja/http';
import { Router } from 'express';
import { type Dependencies, SERVICE_NAME } from '../dependencies';
import { createOrder } from './create-order';
import { findOrder, listOrders } from './list-orders';
import { createOrderBody, idempotencyKeyHeader, listOrdersQuery } from './order-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** /orders: every query is scoped to the caller, so another user's order is simply not found. */
export function orderRoutes(deps: Dependencies): Router {
  const router = Router();
  const realm = { realm: SERVICE_NAME };
  const canRead = [deps.requireAuth, requireScope('orders:read', realm)];
  const canWrite = [deps.requireAuth, requireScope('orders:write', realm)];

  router.post('/orders', ...canWrite, requireContentType('application/json'), async (req, res) => {
    const { subject } = getPrincipal(req);
    const idempotencyKey = validate(
      idempotencyKeyHeader,
      req.get('Idempotency-Key'),
      'Idempotency-Key',
    );
    const { items } = validate(createOrderBody, req.body);
    const { order, replayed } = await createOrder(deps, { userId: subject, items, idempotencyKey });
    if (!replayed) {
      // The event is committed; publishing now only saves the relay's next poll. (A flush never
      // fails: an event the broker did not take waits in the outbox.)
      void deps.events.flush();
    }
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(201).location(`/orders/${order.id}`).json(order);
  });

  router.get('/orders', ...canRead, async (req, res) => {
    const query = validate(listOrdersQuery, req.query, 'query');
    const page = await listOrders(deps.db, {
      userId: getPrincipal(req).subject,
      limit: query.limit,
      after: query.cursor,
    });
    res.json(page);
  });

  router.get('/orders/:id', ...canRead, async (req, res) => {
    const id = String(req.params.id);
    // A malformed id is as unknown as another user's order: 404 either way.
    const order = UUID.test(id) ? await findOrder(deps.db, getPrincipal(req).subject, id) : null;
    if (!order) throw notFound('No such order.');
    res.json(order);
  });

  return router;
}
