// This module imports nothing: it is also the entry point `@dja/http/errors`, through which
// libs/auth answers with the same problem type without loading the rest of this library.

/** What any error that knows how to answer a client turns into. */
export interface ErrorResponse {
  status: number;
  contentType: string;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * Errors that carry their own wire format implement this: RFC 6750 bearer errors (libs/auth),
 * RFC 6749 token endpoint errors (auth-service) and RFC 9457 problems (below). The one error
 * handler of every service calls it, so each family is mapped in exactly one place.
 */
export interface RespondableError {
  toResponse(): ErrorResponse;
}

export function isRespondable(error: unknown): error is RespondableError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Partial<RespondableError>).toResponse === 'function'
  );
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Where problem types are documented: each type is this page's anchor for its code. RFC 9457
 * §3.1.1 asks for a URI a developer can open; docs/problems.md lists every code.
 */
export const PROBLEM_TYPES_URL =
  'https://github.com/distributed-jwt-auth/distributed-jwt-auth/blob/main/docs/problems.md';

/** The `type` URI of a problem code, e.g. `…/docs/problems.md#not_found`. */
export const problemType = (code: string): string => `${PROBLEM_TYPES_URL}#${code}`;

export interface ProblemDetails {
  /** A stable, machine-readable code, e.g. `validation_failed`; becomes the problem `type`. */
  code: string;
  title: string;
  detail?: string;
  /** Extension members (RFC 9457 §3.2), e.g. `errors` listing invalid fields. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An RFC 9457 problem. Its `detail` goes to the client, so it must never hold internals. */
export class ProblemError extends Error implements RespondableError {
  override readonly name = 'ProblemError';
  readonly code: string;

  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail ?? problem.title);
    this.code = problem.code;
  }

  toResponse(): ErrorResponse {
    const { code, title, detail, extensions, headers } = this.problem;
    return {
      status: this.status,
      contentType: PROBLEM_CONTENT_TYPE,
      headers,
      body: {
        type: problemType(code),
        title,
        status: this.status,
        ...(detail === undefined ? {} : { detail }),
        ...extensions,
      },
    };
  }
}

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new ProblemError(400, { code: 'bad_request', title: 'Bad request', detail, extensions });

export const notFound = (detail = 'No such resource.') =>
  new ProblemError(404, { code: 'not_found', title: 'Not found', detail });

export const conflict = (detail: string) =>
  new ProblemError(409, { code: 'conflict', title: 'Conflict', detail });

export const forbidden = (detail: string) =>
  new ProblemError(403, { code: 'forbidden', title: 'Forbidden', detail });

export const serviceUnavailable = (detail: string, retryAfterSeconds = 1) =>
  new ProblemError(503, {
    code: 'service_unavailable',
    title: 'Service unavailable',
    detail,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
