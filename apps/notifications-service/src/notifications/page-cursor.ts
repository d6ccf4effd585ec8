import { z } from 'zod';

/** Where a page ended: the (created_at, id) of its last notification. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

const cursorShape = z.object({ t: z.iso.datetime(), id: z.uuid() });

/** Opaque to clients: base64url JSON, so the keyset can change without breaking them. */
export function encodeCursor(cursor: PageCursor): string {
  const json = JSON.stringify({ t: cursor.createdAt.toISOString(), id: cursor.id });
  return Buffer.from(json).toString('base64url');
}

/** The cursor in `text`, or undefined if it is not one this service issued. */
export function decodeCursor(text: string): PageCursor | undefined {
  try {
    const parsed = cursorShape.safeParse(
      JSON.parse(Buffer.from(text, 'base64url').toString('utf8')),
    );
    return parsed.success ? { createdAt: new Date(parsed.data.t), id: parsed.data.id } : undefined;
  } catch {
    return undefined;
  }
}
