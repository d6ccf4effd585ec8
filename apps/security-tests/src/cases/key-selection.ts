import { bearer, INVALID_TOKEN, type SecurityCase } from './security-case';

/** kid values an attacker tries (jwt_tool -I -hc kid -hv ...), on a token signed by a foreign key. */
const kid = (id: string, title: string, value: unknown, reference: string): SecurityCase => ({
  id: `kid-${id}`,
  family: 'key selection',
  title,
  reference,
  build: (ctx) => bearer(ctx.mint({}, { key: ctx.attackerKey, header: { kid: value } })),
  expect: INVALID_TOKEN,
});

const KID_INJECTION = 'RFC 8725 §3.10; OWASP JWT cheat sheet; jwt_tool -I -hc kid';

export const keySelectionCases: SecurityCase[] = [
  kid('path-traversal', 'kid "../../dev/null"', '../../dev/null', KID_INJECTION),
  kid('sql-injection', `kid "' OR '1'='1"`, "' OR '1'='1", KID_INJECTION),
  kid('very-long', 'kid of 1 000 characters', 'k'.repeat(1_000), KID_INJECTION),
  kid('null-byte', 'kid with a NUL byte', `${'a'.repeat(8)}\u0000../../etc/passwd`, KID_INJECTION),
  kid('unknown', 'unknown kid', 'no-such-key', 'RFC 7515 §4.1.4'),
  kid('url', 'kid naming a URL', 'http://127.0.0.1:1/jwks.json', KID_INJECTION),
  kid('number', 'kid as a number', 42, 'RFC 7515 §4.1.4 (kid is a string)'),
  kid('empty', 'empty kid', '', 'RFC 7515 §4.1.4'),
  {
    id: 'kid-missing',
    family: 'key selection',
    title: 'no kid, attacker key',
    reference: 'RFC 7515 §4.1.4; RFC 8725 §3.10',
    build: (ctx) => bearer(ctx.mint({}, { key: { ...ctx.attackerKey, kid: undefined } })),
    expect: INVALID_TOKEN,
  },
];
