import type { ErrorResponse, RespondableError } from '@dja/http';

/**
 * RFC 6749 §5.2 error codes of the token endpoint (and RFC 7009's revocation endpoint), and
 * `slow_down`: the token endpoint code of the IANA OAuth Extensions Error registry (RFC 8628
 * §3.5) for a client that must wait, sent with 429 and Retry-After.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'slow_down';

export const CLIENT_REALM = 'auth-service';

/**
 * A token endpoint error, answered as RFC 6749 §5.2 JSON by the shared error handler. The
 * description goes to the client: pass a fixed sentence, never request data or internals.
 */
export class OAuthError extends Error implements RespondableError {
  override readonly name = 'OAuthError';

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    private readonly options: { status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(description);
  }

  toResponse(): ErrorResponse {
    // §5.2: a failed client authentication is a 401 carrying an HTTP authentication challenge.
    const isClientError = this.code === 'invalid_client';
    const { retryAfterSeconds } = this.options;
    return {
      status: this.options.status ?? (isClientError ? 401 : 400),
      contentType: 'application/json',
      headers: {
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        ...(isClientError ? { 'WWW-Authenticate': `Basic realm="${CLIENT_REALM}"` } : {}),
        ...(retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {}),
      },
      body: { error: this.code, error_description: this.description },
    };
  }
}
