import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isDependencyUnavailable } from './dependency-unavailable';
import {
  type ErrorResponse,
  isRespondable,
  notFound,
  ProblemError,
  serviceUnavailable,
} from './errors';

/** body-parser's client errors, by their `type`, as problems a client can act on. */
const BODY_ERRORS: Record<string, { status: number; code: string; title: string; detail: string }> =
  {
    'entity.parse.failed': {
      status: 400,
      code: 'malformed_body',
      title: 'Malformed request body',
      detail: 'The request body is not valid JSON.',
    },
    'entity.too.large': {
      status: 413,
      code: 'body_too_large',
      title: 'Request body too large',
      detail: 'The request body exceeds the size this endpoint accepts.',
    },
    'parameters.too.many': {
      status: 413,
      code: 'too_many_parameters',
      title: 'Too many parameters',
      detail: 'The request body has too many parameters.',
    },
    'encoding.unsupported': {
      status: 415,
      code: 'unsupported_encoding',
      title: 'Unsupported content encoding',
      detail: 'The request body uses a content encoding this endpoint does not accept.',
    },
    'charset.unsupported': {
      status: 415,
      code: 'unsupported_charset',
      title: 'Unsupported charset',
      detail: 'The request body uses a charset this endpoint does not accept.',
    },
    'request.aborted': {
      status: 400,
      code: 'request_aborted',
      title: 'Request aborted',
      detail: 'The client aborted the request.',
    },
    'request.size.invalid': {
      status: 400,
      code: 'malformed_body',
      title: 'Malformed request body',
      detail: 'The request body length does not match Content-Length.',
    },
  };

/** Turns a body-parser failure into a problem; undefined when the error is something else. */
export function bodyParserProblem(error: unknown): ProblemError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  if (!known) return undefined;
  const { status, ...problem } = known;
  return new ProblemError(status, problem);
}

const UNAVAILABLE = serviceUnavailable(
  'A service this request needs is unavailable right now. Retry shortly.',
);

const INTERNAL = new ProblemError(500, {
  code: 'internal_error',
  title: 'Internal server error',
  detail: 'Something went wrong on our side. The request id identifies it in our logs.',
});

export function sendError(
  res: Response,
  { status, contentType, headers, body }: ErrorResponse,
): void {
  res
    .status(status)
    .set(headers ?? {})
    .type(contentType)
    .send(JSON.stringify(body));
}

/** The last middleware of every service: anything unknown is a 500 that leaks nothing. */
export function errorHandler(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = isRespondable(error) ? error : bodyParserProblem(error);
    if (known) {
      sendError(res, known.toResponse());
      return;
    }
    if (isDependencyUnavailable(error)) {
      // The database or another dependency is away: a moment's outage, not a bug.
      req.log?.warn({ err: error }, 'dependency unavailable');
      sendError(res, UNAVAILABLE.toResponse());
      return;
    }
    req.log?.error({ err: error }, 'unhandled error');
    sendError(res, INTERNAL.toResponse());
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(notFound('No route matches this method and path.'));
}
