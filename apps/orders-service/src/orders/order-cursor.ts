import { z } from 'zod';

/** Where a page of a user's orders (newest first) ends: the last order's sort key. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/**
 * Opaque to clients: base64url of `["<createdAt ISO>", "<id>"]`. It only positions the page;
 * the user comes from the token, so a cursor can never reach another user's orders.
 */
export function encodeCursor({ createdAt, id }: OrderCursor): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

const position = z.tuple([z.iso.datetime(), z.uuid()]);

export const cursor = z.string().transform((value, ctx): OrderCursor => {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(value) ? parseJson(value) : undefined;
  const parsed = position.safeParse(decoded);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'is not a cursor this service issued' });
    return z.NEVER;
  }
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1].toLowerCase() };
});

function parseJson(base64url: string): unknown {
  try {
    return JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
