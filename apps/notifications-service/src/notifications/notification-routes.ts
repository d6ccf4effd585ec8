import { getPrincipal, requireScope } from '@dja/auth';
import { validate } from '@dja/http';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Database } from '../database';
import { decodeCursor, encodeCursor, type PageCursor } from './page-cursor';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200)
    .transform((text, ctx) => {
      const cursor = decodeCursor(text);
      if (!cursor) {
        ctx.addIssue({ code: 'custom', message: 'not a cursor from a previous page' });
        return z.NEVER;
      }
      return cursor;
    })
    .optional(),
});

/** `GET /notifications`: the caller's own notifications, newest first, keyset-paginated. */
export function notificationRoutes(deps: { db: Database; requireAuth: RequestHandler }): Router {
  const router = Router();
  router.get(
    '/notifications',
    deps.requireAuth,
    requireScope('notifications:read'),
    async (req, res) => {
      const { limit, cursor } = validate(listQuery, req.query, 'query');
      const userId = getPrincipal(req).subject;
      const rows = await deps.db.notification.findMany({
        where: { userId, ...(cursor ? olderThan(cursor) : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      res.set('Cache-Control', 'private, no-store').json({
        items: items.map((row) => ({
          id: row.id,
          kind: row.kind,
          title: row.title,
          body: row.body,
          recipientEmail: row.recipientEmail,
          orderId: row.orderId,
          createdAt: row.createdAt.toISOString(),
        })),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      });
    },
  );
  return router;
}

/** (created_at, id) < (cursor.createdAt, cursor.id), in the order of the index. */
function olderThan(cursor: PageCursor) {
  return {
    OR: [
      { createdAt: { lt: cursor.createdAt } },
      { createdAt: cursor.createdAt, id: { lt: cursor.id } },
    ],
  };
}
