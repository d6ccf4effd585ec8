import {
  b64url,
  bearer,
  INVALID_REQUEST,
  INVALID_TOKEN,
  segments,
  type SecurityCase,
} from './security-case';

const REF_COMPACT = 'RFC 7515 §7.1 (compact serialization); RFC 7515 §2 (base64url, no padding)';

const encoding = (
  id: string,
  title: string,
  reference: string,
  build: SecurityCase['build'],
  expect = INVALID_TOKEN,
): SecurityCase => ({ id: `encoding-${id}`, family: 'encoding', title, reference, build, expect });

/** `[[[[…]]]]` nested `depth` deep. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

export const encodingCases: SecurityCase[] = [
  encoding('padding', 'base64 padding "=" after the header and payload', REF_COMPACT, (ctx) => {
    const [header, payload, signature] = segments(ctx.mint());
    return bearer(`${header}=.${payload}==.${signature}`);
  }),
  encoding('standard-base64', 'standard base64 "+/" instead of base64url', REF_COMPACT, (ctx) => {
    const token = ctx.mint();
    const standard = token.replace(/-/g, '+').replace(/_/g, '/');
    // A token without - or _ would be unchanged; the signature almost always has one.
    return bearer(standard === token ? `${token}+/` : standard);
  }),
  encoding(
    'inner-space',
    'a space inside the token',
    'RFC 6750 §2.1 (b64token); RFC 6750 §3.1',
    (ctx) => {
      const token = ctx.mint();
      return bearer(`${token.slice(0, 40)} ${token.slice(40)}`);
    },
    INVALID_REQUEST,
  ),
  encoding(
    'inner-tab',
    'a tab inside the token',
    'RFC 6750 §2.1 (b64token); RFC 6750 §3.1',
    (ctx) => {
      const token = ctx.mint();
      return bearer(`${token.slice(0, 40)}\t${token.slice(40)}`);
    },
    INVALID_REQUEST,
  ),
  encoding('extra-segment', 'four segments', REF_COMPACT, (ctx) => bearer(`${ctx.mint()}.e30`)),
  encoding('jwe-shape', 'five segments (JWE shape)', 'RFC 7516 §7.1; RFC 8725 §3.11', (ctx) => {
    const [header, payload, signature] = segments(ctx.mint());
    return bearer(`${header}.${payload}.${signature}.${payload}.${signature}`);
  }),
  encoding('two-segments', 'two segments (signature dropped with its dot)', REF_COMPACT, (ctx) => {
    const [header, payload] = segments(ctx.mint());
    return bearer(`${header}.${payload}`);
  }),
  encoding('empty-segments', 'empty segments ".."', REF_COMPACT, () => bearer('..')),
  encoding('empty-header', 'empty header segment', REF_COMPACT, (ctx) => {
    const [, payload, signature] = segments(ctx.mint());
    return bearer(`.${payload}.${signature}`);
  }),
  encoding('unicode', 'non-base64url (UTF-8) characters in the payload', REF_COMPACT, (ctx) => {
    const [header, payload, signature] = segments(ctx.mint());
    // Sent as UTF-8 bytes on the wire, as a client library would.
    const utf8 = Buffer.from(`${header}.${payload}é✓.${signature}`, 'utf8').toString('latin1');
    return bearer(utf8);
  }),
  encoding(
    'duplicate-alg',
    'header {"alg":"RS256",…,"alg":"none"} (duplicate keys)',
    'RFC 7515 §4 (duplicate names MUST be rejected or the last one used); RFC 8725 §2.1',
    (ctx) =>
      bearer(
        ctx.mint(
          {},
          {
            rawHeader: `{"alg":"RS256","typ":"at+jwt","kid":${JSON.stringify(ctx.ourKey.kid)},"alg":"none"}`,
          },
        ),
      ),
  ),
  encoding('header-not-json', 'header segment is not JSON', REF_COMPACT, (ctx) =>
    bearer(ctx.mint({}, { rawHeader: '{"alg":"RS256",' })),
  ),
  encoding('header-null', 'header is JSON null', 'RFC 7515 §4 (a JSON object)', (ctx) =>
    bearer(ctx.mint({}, { rawHeader: 'null' })),
  ),
  encoding(
    'payload-array',
    'payload is a JSON array, validly signed',
    'RFC 7519 §7.2 step 10',
    (ctx) => bearer(ctx.mint({}, { rawPayload: JSON.stringify([ctx.user.claims]) })),
  ),
  encoding(
    'header-json-bomb',
    'header of 1 000 nested arrays',
    'OWASP JWT cheat sheet; RFC 8725 §2.8',
    (ctx) => bearer(ctx.mint({}, { rawHeader: nested(1_000) })),
  ),
  encoding(
    'payload-json-bomb',
    'payload of 1 000 nested arrays, validly signed',
    'OWASP JWT cheat sheet; RFC 8725 §2.8',
    (ctx) => bearer(ctx.mint({}, { rawPayload: nested(1_000) })),
  ),
  encoding(
    'length-4n-plus-1',
    'segment length 4n+1 (no byte string encodes to it)',
    REF_COMPACT,
    (ctx) => {
      const [header, payload, signature] = segments(ctx.mint());
      const odd =
        payload.length % 4 === 1
          ? payload
          : `${payload}${'A'.repeat((5 - (payload.length % 4)) % 4)}`;
      return bearer(`${header}.${odd}.${signature}`);
    },
  ),
];

export const oversizedCases: SecurityCase[] = [
  {
    id: 'oversized-10kb-token',
    family: 'oversized input',
    title: '10 kB token (claims padded, validly signed)',
    reference: 'RFC 8725 §2.8 (denial of service); OWASP JWT cheat sheet',
    build: (ctx) => bearer(ctx.mint({ padding: 'x'.repeat(7_500) })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'oversized-100kb-header',
    family: 'oversized input',
    title: '100 kB Authorization header',
    reference:
      'RFC 6585 §5 (431; Node 24 then closes the connection); nginx large_client_header_buffers (400)',
    build: () => bearer(`${b64url('x'.repeat(75_000))}.e30.`),
    // nginx answers 400 ("Request Header Or Cookie Too Large", its internal 494). Node 24 writes
    // 431 and closes the connection at once, so a client still sending the header usually sees
    // the reset (status 0 here) rather than the 431: refused either way, nothing processed.
    expect: (target) => ({ status: target.via === 'gateway' ? [400, 494] : [431, 0] }),
  },
  {
    id: 'oversized-non-ascii-header',
    family: 'oversized input',
    title: 'Latin-1 bytes in the Authorization header',
    reference: 'RFC 9110 §5.5 (obs-text); RFC 6750 §2.1 (b64token)',
    build: (ctx) => bearer(`${ctx.mint()}\u00ff\u00e9`),
    expect: INVALID_TOKEN,
  },
];
