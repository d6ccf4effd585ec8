import {
  abbreviate,
  decodeBase64Url,
  decodeJwt,
  formatCountdown,
  secondsUntil,
  tamperWithPayload,
} from './jwt';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${encode({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })}.${encode({
  sub: 'u1',
  email: 'zoë@example.com',
  exp: 1_000,
})}.c2lnbmF0dXJl`;

describe('decodeJwt', () => {
  it('reads the header and payload without any key', () => {
    const decoded = decodeJwt(token);
    expect(decoded.header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' });
    expect(decoded.payload).toMatchObject({ sub: 'u1', email: 'zoë@example.com' });
    expect(decoded.parts[2]).toBe('c2lnbmF0dXJl');
  });

  it('refuses a token without three parts', () => {
    expect(() => decodeJwt('a.b')).toThrow('three parts');
  });

  it('refuses characters outside the base64url alphabet', () => {
    expect(() => decodeBase64Url('ab+c')).toThrow('not base64url');
  });
});

describe('tamperWithPayload', () => {
  it('changes exactly one character of the payload and nothing else', () => {
    const tampered = tamperWithPayload(token);
    const [h1, p1, s1] = token.split('.');
    const [h2, p2, s2] = tampered.token.split('.');
    expect([h2, s2]).toEqual([h1, s1]);
    expect(p2).toHaveLength(p1!.length);
    const differences = [...p1!].filter((c, i) => p2![i] !== c);
    expect(differences).toEqual([tampered.from]);
    expect(p2![tampered.index]).toBe(tampered.to);
  });
});

describe('the countdown', () => {
  it('counts whole seconds to exp and says when the token has expired', () => {
    expect(secondsUntil(1_000, 700_500)).toBe(299);
    expect(formatCountdown(299)).toBe('4:59');
    expect(formatCountdown(0)).toBe('expired');
  });
});

describe('abbreviate', () => {
  it('keeps a secret recognisable but not usable', () => {
    expect(abbreviate('abcdefghijklmnopqrstuvwxyz')).toBe('abcdef…wxyz');
  });
});
