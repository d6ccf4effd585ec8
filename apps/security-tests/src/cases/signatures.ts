import {
  b64url,
  bearer,
  decodePayload,
  INVALID_TOKEN,
  segments,
  type SecurityCase,
  withPayload,
} from './security-case';

const REF_SIGNATURE = 'RFC 7515 §5.2 (validation); OWASP JWT cheat sheet (signature verification)';

export const signatureCases: SecurityCase[] = [
  {
    id: 'sig-empty',
    family: 'forged signature',
    title: 'signature segment stripped (empty)',
    reference: `${REF_SIGNATURE}; CVE-2020-28042`,
    build: (ctx) => {
      const [header, payload] = segments(ctx.mint());
      return bearer(`${header}.${payload}.`);
    },
    expect: INVALID_TOKEN,
  },
  {
    id: 'sig-of-another-token',
    family: 'forged signature',
    title: 'valid signature of another of our tokens',
    reference: REF_SIGNATURE,
    build: (ctx) => {
      const [header, payload] = segments(ctx.mint({ scope: 'orders:read' }));
      return bearer(`${header}.${payload}.${segments(ctx.user.accessToken)[2]}`);
    },
    expect: INVALID_TOKEN,
  },
  {
    id: 'sig-truncated',
    family: 'forged signature',
    title: 'signature truncated by 8 characters',
    reference: REF_SIGNATURE,
    build: (ctx) => bearer(ctx.mint().slice(0, -8)),
    expect: INVALID_TOKEN,
  },
  {
    id: 'sig-one-bit-flipped',
    family: 'forged signature',
    title: 'one bit of the signature flipped',
    reference: REF_SIGNATURE,
    build: (ctx) => {
      const [header, payload, signature] = segments(ctx.mint());
      const bytes = Buffer.from(signature, 'base64url');
      bytes[bytes.length >> 1]! ^= 0x01;
      return bearer(`${header}.${payload}.${b64url(bytes)}`);
    },
    expect: INVALID_TOKEN,
  },
  {
    id: 'sig-all-zero',
    family: 'forged signature',
    title: 'signature of 256 zero bytes (right length)',
    reference: REF_SIGNATURE,
    build: (ctx) => {
      const [header, payload] = segments(ctx.mint());
      return bearer(`${header}.${payload}.${b64url(Buffer.alloc(256))}`);
    },
    expect: INVALID_TOKEN,
  },
];

const tamper = (
  id: string,
  title: string,
  change: (claims: Record<string, unknown>, otherAudience: string) => Record<string, unknown>,
): SecurityCase => ({
  id: `tampered-${id}`,
  family: 'tampered claims',
  title: `${title}, not re-signed`,
  reference: 'RFC 7515 §5.2; OWASP JWT cheat sheet (token tampering)',
  build: (ctx, target) => {
    const token = ctx.mint();
    return bearer(withPayload(token, change(decodePayload(token), `${target.service}-admin`)));
  },
  expect: INVALID_TOKEN,
});

export const tamperedCases: SecurityCase[] = [
  tamper('sub', 'sub changed to another user', (c) => ({ ...c, sub: crypto.randomUUID() })),
  tamper('scope', 'scope widened with profile:read admin', (c) => ({
    ...c,
    scope: `${String(c.scope)} profile:read admin`,
  })),
  tamper('roles', 'roles set to ["admin"]', (c) => ({ ...c, roles: ['admin'] })),
  tamper('aud', 'aud replaced', (c, other) => ({ ...c, aud: [other] })),
  tamper('exp', 'exp pushed one day later', (c) => ({ ...c, exp: Number(c.exp) + 86_400 })),
  tamper('sid', 'sid replaced', (c) => ({ ...c, sid: crypto.randomUUID() })),
];
