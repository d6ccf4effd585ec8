import { bearer, INVALID_TOKEN, type SecurityCase } from './security-case';

/** Tokens validly signed, but by a key that is not ours. */
export const foreignKeyCases: SecurityCase[] = [
  {
    id: 'foreign-key-our-kid',
    family: 'foreign key',
    title: 'attacker RSA key, header names our kid',
    reference: 'RFC 8725 §3.1; OWASP JWT cheat sheet',
    build: (ctx) => bearer(ctx.mint({}, { key: ctx.attackerKeyWithOurKid })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-own-kid',
    family: 'foreign key',
    title: 'attacker RSA key with its own kid',
    reference: 'RFC 8725 §3.1; RFC 7515 §4.1.4',
    build: (ctx) => bearer(ctx.mint({}, { key: ctx.attackerKey })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-embedded-jwk',
    family: 'foreign key',
    title: 'attacker key embedded in a `jwk` header',
    reference: 'RFC 7515 §4.1.3; CVE-2018-0114; jwt_tool -X i',
    build: (ctx) =>
      bearer(ctx.mint({}, { key: ctx.attackerKey, header: { jwk: ctx.attackerKey.publicJwk } })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-jku',
    family: 'foreign key',
    title: '`jku` pointing to an attacker JWKS (local listener)',
    reference: 'RFC 7515 §4.1.2; RFC 8725 §3.10; jwt_tool -X s',
    build: (ctx) =>
      bearer(ctx.mint({}, { key: ctx.attackerKey, header: { jku: ctx.listener.jwksUrl } })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-jku-our-kid',
    family: 'foreign key',
    title: '`jku` to the attacker JWKS, kid of our key',
    reference: 'RFC 7515 §4.1.2; RFC 8725 §3.10',
    build: (ctx) =>
      bearer(
        ctx.mint({}, { key: ctx.attackerKeyWithOurKid, header: { jku: ctx.listener.jwksUrl } }),
      ),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-x5u',
    family: 'foreign key',
    title: '`x5u` pointing to the attacker listener',
    reference: 'RFC 7515 §4.1.5; RFC 8725 §3.10',
    build: (ctx) =>
      bearer(ctx.mint({}, { key: ctx.attackerKey, header: { x5u: ctx.listener.certificateUrl } })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-x5c-self-signed',
    family: 'foreign key',
    title: '`x5c` with a self-signed certificate',
    reference: 'RFC 7515 §4.1.6; OWASP JWT cheat sheet',
    build: (ctx) =>
      bearer(ctx.mint({}, { key: ctx.attackerKey, header: { x5c: [ctx.attackerCertificate] } })),
    expect: INVALID_TOKEN,
  },
  {
    id: 'foreign-key-jku-our-jwks',
    family: 'foreign key',
    title: 'our own valid token plus a `jku` naming our real JWKS',
    reference: 'RFC 8725 §3.10 (never let the token choose where keys come from)',
    build: (ctx) =>
      bearer(ctx.mint({}, { header: { jku: `${ctx.stack.issuer}/.well-known/jwks.json` } })),
    expect: INVALID_TOKEN,
  },
];
