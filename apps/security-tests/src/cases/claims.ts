import { ACCEPTED, bearer, INVALID_TOKEN, type SecurityCase } from './security-case';

const now = () => Math.floor(Date.now() / 1000);

/** Signed by our key, valid except for `claims` (or `header`). */
const claim = (
  id: string,
  title: string,
  reference: string,
  claims: (service: string, issuer: string) => Record<string, unknown>,
  header: Record<string, unknown> = {},
  expect = INVALID_TOKEN,
): SecurityCase => ({
  id: `claim-${id}`,
  family: 'claim validation',
  title,
  reference,
  build: (ctx, target) => bearer(ctx.mint(claims(target.service, ctx.stack.issuer), { header })),
  expect,
});

const OTHER_SERVICE: Record<string, string> = {
  orders: 'profile',
  profile: 'notifications',
  notifications: 'orders',
};

export const claimCases: SecurityCase[] = [
  claim('expired', 'exp 60 s in the past', 'RFC 7519 §4.1.4; RFC 8725 §3.10', () => ({
    iat: now() - 240,
    exp: now() - 60,
  })),
  claim('nbf-future', 'nbf 10 min in the future', 'RFC 7519 §4.1.5', () => ({ nbf: now() + 600 })),
  claim('iat-future', 'iat 10 min in the future', 'RFC 7519 §4.1.6; RFC 9068 §4', () => ({
    iat: now() + 600,
    exp: now() + 900,
  })),
  claim('exp-missing', 'no exp', 'RFC 9068 §2.2 (exp required)', () => ({ exp: undefined })),
  claim('iat-missing', 'no iat', 'RFC 9068 §2.2 (iat required)', () => ({ iat: undefined })),
  claim('exp-string', 'exp as a string', 'RFC 7519 §2 (NumericDate)', () => ({
    exp: String(now() + 300),
  })),
  claim(
    'lifetime-too-long',
    'exp - iat = 1 day (issuer never issues that)',
    'RFC 8725 §3.10',
    () => ({
      exp: now() + 86_400,
    }),
  ),
  claim('iss-wrong', 'iss of another issuer', 'RFC 8725 §3.8; RFC 9068 §4', () => ({
    iss: 'https://evil.example/auth',
  })),
  claim(
    'iss-trailing-slash',
    'iss with a trailing slash',
    'RFC 8725 §3.8 (exact match)',
    (_, issuer) => ({
      iss: `${issuer}/`,
    }),
  ),
  claim('iss-missing', 'no iss', 'RFC 9068 §2.2 (iss required)', () => ({ iss: undefined })),
  claim('aud-wrong', 'aud "evil"', 'RFC 8725 §3.9; RFC 7519 §4.1.3', () => ({ aud: 'evil' })),
  claim(
    'aud-other-service',
    'aud names only another service of ours',
    'RFC 8725 §3.9 (cross-JWT confusion); RFC 9068 §4',
    (service) => ({ aud: OTHER_SERVICE[service] }),
  ),
  claim('aud-missing', 'no aud', 'RFC 9068 §2.2 (aud required)', () => ({ aud: undefined })),
  claim('sub-missing', 'no sub', 'RFC 9068 §2.2 (sub required)', () => ({ sub: undefined })),
  claim('jti-missing', 'no jti', 'RFC 9068 §2.2 (jti required)', () => ({ jti: undefined })),
  claim('typ-missing', 'no typ header', 'RFC 9068 §4; RFC 8725 §3.11', () => ({}), {
    typ: undefined,
  }),
  claim(
    'typ-jwt',
    'typ "JWT" (an ID token or other JWT)',
    'RFC 9068 §4; RFC 8725 §3.11',
    () => ({}),
    {
      typ: 'JWT',
    },
  ),
  claim(
    'typ-at-jwt',
    'typ "at+jwt" (what our issuer sets)',
    'RFC 9068 §2.1',
    () => ({}),
    { typ: 'at+jwt' },
    ACCEPTED,
  ),
  claim('crit-header', 'crit ["exp"] with an unknown extension', 'RFC 7515 §4.1.11', () => ({}), {
    crit: ['x-extension'],
    'x-extension': true,
  }),
];
