import {
  bearer,
  INVALID_REQUEST,
  INVALID_TOKEN,
  NO_CREDENTIALS,
  type SecurityCase,
} from './security-case';

const scheme = (
  id: string,
  title: string,
  reference: string,
  build: SecurityCase['build'],
  expect: SecurityCase['expect'],
): SecurityCase => ({
  id: `scheme-${id}`,
  family: 'scheme and header',
  title,
  reference,
  build,
  expect,
});

export const schemeCases: SecurityCase[] = [
  scheme(
    'no-authorization',
    'no Authorization header',
    'RFC 6750 §3.1 (no error code when no credentials)',
    () => ({}),
    NO_CREDENTIALS,
  ),
  scheme(
    'bearer-without-token',
    '"Bearer" without a token',
    'RFC 6750 §3.1 (invalid_request)',
    () => ({ headers: [['authorization', 'Bearer']] }),
    INVALID_REQUEST,
  ),
  scheme(
    'basic',
    'Basic credentials',
    'RFC 6750 §3.1; RFC 9110 §11.6.2',
    () => ({
      headers: [['authorization', `Basic ${Buffer.from('user:password').toString('base64')}`]],
    }),
    NO_CREDENTIALS,
  ),
  scheme(
    'token-scheme',
    '"Token <jwt>" scheme',
    'RFC 6750 §2.1',
    (ctx) => bearer(ctx.mint(), 'Token'),
    NO_CREDENTIALS,
  ),
  scheme(
    'two-authorization-headers',
    'two Authorization headers (valid token and forged)',
    'RFC 6750 §3.1 (invalid_request); RFC 9110 §5.3',
    (ctx) => ({
      headers: [
        ['authorization', `Bearer ${ctx.mint()}`],
        ['authorization', `Bearer ${ctx.mint({}, { key: ctx.attackerKey })}`],
      ],
    }),
    // nginx refuses a repeated Authorization header itself (400, no bearer challenge).
    (target) => (target.via === 'gateway' ? { status: 400 } : INVALID_REQUEST),
  ),
  scheme(
    'scheme-list',
    '"Basic …, Bearer <jwt>" in one header',
    'RFC 6750 §3.1 (invalid_request)',
    (ctx) => ({ headers: [['authorization', `Basic dXNlcjpwYXNz, Bearer ${ctx.mint()}`]] }),
    INVALID_REQUEST,
  ),
  scheme(
    'two-tokens',
    '"Bearer <jwt> <jwt>"',
    'RFC 6750 §2.1 (one b64token); §3.1',
    (ctx) => bearer(`${ctx.mint()} ${ctx.mint()}`),
    INVALID_REQUEST,
  ),
  scheme(
    'query-and-header',
    'token in the query string and in the header',
    'RFC 6750 §2 (only one method); §3.1 (invalid_request)',
    (ctx) => ({ ...bearer(ctx.mint()), query: `access_token=${ctx.mint()}` }),
    INVALID_REQUEST,
  ),
  scheme(
    'query-only',
    'token only in ?access_token= (disabled in libs/auth)',
    'RFC 6750 §2.3 (optional, SHOULD NOT); §3.1 (unsupported parameter: invalid_request)',
    (ctx) => ({ query: `access_token=${ctx.mint()}` }),
    INVALID_REQUEST,
  ),
  scheme(
    'query-repeated',
    'access_token twice in the query string',
    'RFC 6750 §3.1 (repeats the same parameter)',
    (ctx) => ({ query: `access_token=${ctx.mint()}&access_token=${ctx.mint()}` }),
    INVALID_REQUEST,
  ),
];

/** Tokens of the wrong kind, or whose session or user has been revoked. */
export const confusionCases: SecurityCase[] = [
  {
    id: 'confusion-refresh-token-as-bearer',
    family: 'token confusion and revocation',
    title: 'refresh token sent as the bearer token',
    reference:
      'RFC 6749 §1.5 (refresh tokens are for the authorization server only); RFC 8725 §3.12',
    build: (ctx) => bearer(ctx.user.refreshToken),
    expect: INVALID_TOKEN,
  },
  {
    id: 'confusion-service-token-on-user-route',
    family: 'token confusion and revocation',
    title: 'client_credentials token (profile:read, no sid) on a user route',
    reference: 'RFC 6750 §3.1 (insufficient_scope); RFC 9068 §2.2.3',
    build: (ctx) => bearer(ctx.serviceToken),
    expect: { status: 403, bearerError: 'insufficient_scope' },
  },
  {
    id: 'revoked-after-logout',
    family: 'token confusion and revocation',
    title: 'access token replayed after logout',
    reference: 'RFC 7009 §2; OWASP JWT cheat sheet (token revocation)',
    build: (ctx) => bearer(ctx.loggedOutToken),
    expect: INVALID_TOKEN,
  },
  {
    id: 'revoked-after-suspension',
    family: 'token confusion and revocation',
    title: 'access token replayed after the user was suspended',
    reference: 'OWASP JWT cheat sheet (token revocation)',
    build: (ctx) => bearer(ctx.suspendedToken),
    expect: INVALID_TOKEN,
  },
];
