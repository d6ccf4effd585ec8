import { createHmac, sign } from 'node:crypto';
import { ACCEPTED, bearer, INVALID_TOKEN, segments, type SecurityCase } from './security-case';

const none = (alg: string, keepSignature: boolean): SecurityCase => ({
  id: `alg-${alg}${keepSignature ? '-with-signature' : ''}`,
  family: 'algorithm confusion',
  title: `alg "${alg}"${keepSignature ? ', valid RS256 signature kept' : ', empty signature'}`,
  reference: 'RFC 8725 §2.1, §3.1; OWASP JWT cheat sheet (None hashing algorithm); CVE-2015-9235',
  build: (ctx) => {
    if (!keepSignature) return bearer(ctx.mint({}, { header: { alg } }));
    const signature = segments(ctx.mint())[2];
    const [header, payload] = segments(ctx.mint({}, { header: { alg } }));
    return bearer(`${header}.${payload}.${signature}`);
  },
  expect: INVALID_TOKEN,
});

type PublicKeyForm = 'spkiPem' | 'pkcs1Pem' | 'jwkJson' | 'der' | 'n';

const hmacWithPublicKey = (bits: 256 | 384 | 512, form: PublicKeyForm): SecurityCase => ({
  id: `alg-hs${bits}-public-key-${form}`,
  family: 'algorithm confusion',
  title: `HS${bits} keyed with our public key (${form})`,
  reference: 'RFC 8725 §2.1, §3.1; CVE-2015-9235; CVE-2016-10555; jwt_tool -X k',
  build: (ctx) =>
    bearer(
      ctx.mint(
        {},
        {
          header: { alg: `HS${bits}` },
          sign: (input) => createHmac(`sha${bits}`, ctx.publicKey[form]).update(input).digest(),
        },
      ),
    ),
  expect: INVALID_TOKEN,
});

const otherAsymmetric = (alg: 'RS384' | 'RS512' | 'PS256'): SecurityCase => ({
  id: `alg-${alg.toLowerCase()}-our-key`,
  family: 'algorithm confusion',
  title: `${alg} signed with our own private key`,
  reference: 'RFC 8725 §3.1 (use appropriate algorithms); RFC 7515 §4.1.1',
  build: (ctx) => bearer(ctx.mint({}, { header: { alg } })),
  expect: INVALID_TOKEN,
});

export const algorithmCases: SecurityCase[] = [
  none('none', false),
  none('None', false),
  none('NONE', false),
  none('nOnE', false),
  none('none', true),
  hmacWithPublicKey(256, 'spkiPem'),
  hmacWithPublicKey(384, 'spkiPem'),
  hmacWithPublicKey(512, 'spkiPem'),
  hmacWithPublicKey(256, 'pkcs1Pem'),
  hmacWithPublicKey(256, 'jwkJson'),
  hmacWithPublicKey(256, 'der'),
  hmacWithPublicKey(256, 'n'),
  otherAsymmetric('RS384'),
  otherAsymmetric('RS512'),
  otherAsymmetric('PS256'),
  {
    id: 'alg-es256-attacker-key',
    family: 'algorithm confusion',
    title: 'ES256 header, signed with an attacker P-256 key',
    reference: 'RFC 8725 §3.1; RFC 7518 §3.4',
    build: (ctx) =>
      bearer(
        ctx.mint(
          {},
          {
            header: { alg: 'ES256' },
            sign: (input) =>
              sign('sha256', Buffer.from(input), { key: ctx.ecKey, dsaEncoding: 'ieee-p1363' }),
          },
        ),
      ),
    expect: INVALID_TOKEN,
  },
  {
    id: 'alg-es256-psychic-signature',
    family: 'algorithm confusion',
    title: 'ES256 with r = s = 0 ("psychic signature")',
    reference: 'CVE-2022-21449',
    build: (ctx) =>
      bearer(ctx.mint({}, { header: { alg: 'ES256' }, sign: () => new Uint8Array(64) })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'alg-missing',
    family: 'algorithm confusion',
    title: 'no alg header, valid RS256 signature',
    reference: 'RFC 7515 §4.1.1 (alg is required)',
    build: (ctx) =>
      bearer(ctx.mint({}, { header: { alg: undefined }, sign: rs256(ctx.ourKey.privateKey) })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'alg-lowercase-rs256',
    family: 'algorithm confusion',
    title: 'alg "rs256" (lowercase), valid RS256 signature',
    reference: 'RFC 7515 §4.1.1 (alg values are case-sensitive); RFC 8725 §3.1',
    build: (ctx) =>
      bearer(ctx.mint({}, { header: { alg: 'rs256' }, sign: rs256(ctx.ourKey.privateKey) })),
    expect: INVALID_TOKEN,
  },
];

function rs256(key: Parameters<typeof sign>[2]) {
  return (input: string) => sign('sha256', Buffer.from(input), key);
}

/** Valid tokens every target must accept: without them, all the 401s would prove nothing. */
export const controlCases: SecurityCase[] = [
  {
    id: 'control-login-token',
    family: 'control',
    title: 'the access token /auth/login issued',
    reference: 'RFC 6750 §2.1',
    build: (ctx) => bearer(ctx.user.accessToken),
    expect: ACCEPTED,
  },
  {
    id: 'control-minted-token',
    family: 'control',
    title: 'a token minted here with our key and the same claims',
    reference: 'RFC 9068 §2',
    build: (ctx) => bearer(ctx.mint()),
    expect: ACCEPTED,
  },
  {
    id: 'control-lowercase-scheme',
    family: 'control',
    title: '`bearer` (lowercase) scheme',
    reference: 'RFC 9110 §11.1 (auth schemes are case-insensitive)',
    build: (ctx) => bearer(ctx.user.accessToken, 'bearer'),
    expect: ACCEPTED,
  },
  {
    id: 'control-typ-application-at-jwt',
    family: 'control',
    title: 'typ "application/at+jwt"',
    reference: 'RFC 9068 §2.1; RFC 7515 §4.1.9',
    build: (ctx) => bearer(ctx.mint({}, { header: { typ: 'application/at+jwt' } })),
    expect: ACCEPTED,
  },
  {
    id: 'control-typ-uppercase',
    family: 'control',
    title: 'typ "AT+JWT" (media types are case-insensitive)',
    reference: 'RFC 7515 §4.1.9; RFC 2045 §5.1',
    build: (ctx) => bearer(ctx.mint({}, { header: { typ: 'AT+JWT' } })),
    expect: ACCEPTED,
  },
];
