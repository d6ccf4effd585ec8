import type { RequestHandler } from 'express';
import { ProblemError } from './errors';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Refuses a request body of any other media type with 415, instead of letting a parser skip it
 * and a handler later complain about missing fields.
 */
export function requireContentType(...types: string[]): RequestHandler {
  return (req, _res, next) => {
    const hasBody =
      req.headers['content-length'] !== '0' &&
      (req.headers['content-length'] || req.headers['transfer-encoding']);
    if (!METHODS_WITH_BODY.has(req.method) || !hasBody || req.is(types)) return next();
    next(
      new ProblemError(415, {
        code: 'unsupported_media_type',
        title: 'Unsupported media type',
        detail: `Send the body as ${types.join(' or ')}.`,
        headers: { 'Accept-Post': types.join(', ') },
      }),
    );
  };
}
