import { PROBLEM_TYPES_URL } from '@dja/http/errors';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  TokenMissingError,
  bearerErrorResponse,
} from './errors';

describe('AuthError.toResponse', () => {
  it('answers a missing token with a bare challenge and no error code', () => {
    expect(new TokenMissingError().toResponse()).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
      contentType: 'application/problem+json',
      body: {
        type: `${PROBLEM_TYPES_URL}#unauthorized`,
        title: 'Unauthorized',
        status: 401,
        detail: 'A bearer access token is required',
      },
    });
  });

  it('answers an invalid token with 401 invalid_token and a fixed description', () => {
    const error = new InvalidTokenError('ERR_TOKEN_SIGNATURE', 'internal detail: key abc');
    expect(error.toResponse()).toEqual({
      status: 401,
      headers: {
        'WWW-Authenticate':
          'Bearer error="invalid_token", error_description="The access token signature is invalid"',
      },
      contentType: 'application/problem+json',
      body: {
        type: `${PROBLEM_TYPES_URL}#invalid_token`,
        title: 'Unauthorized',
        status: 401,
        detail: 'The access token signature is invalid',
      },
    });
  });

  it('answers a malformed request with 400 invalid_request', () => {
    const response = new InvalidRequestError('Send a single Authorization header').toResponse();
    expect(response.status).toBe(400);
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_request", error_description="Send a single Authorization header"',
    );
  });

  it('answers a missing scope with 403 insufficient_scope and the scopes needed', () => {
    const response = new InsufficientScopeError(['orders:write', 'orders:admin']).toResponse();
    expect(response.status).toBe(403);
    expect(response.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="The access token lacks the required scope", scope="orders:write orders:admin"',
    );
  });

  it('answers unavailable keys with a 503 problem and Retry-After', () => {
    const response = new JwksUnavailableError('down', 12).toResponse();
    expect(response).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '12' },
      contentType: 'application/problem+json',
    });
  });

  it('puts the realm first and strips characters RFC 6750 does not allow in it', () => {
    const error = new TokenMissingError();
    error.realm = 'orders "api"\\\n';
    expect(bearerErrorResponse(error).headers['WWW-Authenticate']).toBe(
      'Bearer realm="orders  api   "',
    );
  });

  it('keeps the log message apart from what the client sees', () => {
    const error = new InvalidTokenError('ERR_TOKEN_CLAIM', '"iss" claim: unexpected issuer', 'iss');
    expect(error.message).toContain('unexpected issuer');
    expect(JSON.stringify(error.toResponse())).not.toContain('unexpected');
    expect(error.code).toBe('ERR_TOKEN_CLAIM');
    expect(error.name).toBe('InvalidTokenError');
  });
});
