import { InMemoryRevocationList, type RevocationSubject } from './revocation-list';

const START_S = Date.UTC(2030, 0, 1) / 1000;
const LIFETIME = 900;

function listWithClock(options: { sweepIntervalMs?: number } = {}) {
  let now = START_S * 1000;
  const list = new InMemoryRevocationList({
    maxTokenLifetimeSeconds: LIFETIME,
    expiryGraceSeconds: 60,
    now: () => now,
    ...options,
  });
  return { list, advanceSeconds: (seconds: number) => void (now += seconds * 1000) };
}

const token = (overrides: Partial<RevocationSubject> = {}): RevocationSubject => ({
  subject: 'user-1',
  sessionId: 'session-1',
  tokenId: 'token-1',
  issuedAt: START_S - 10,
  ...overrides,
});

describe('InMemoryRevocationList', () => {
  it('revokes by session id', () => {
    const { list } = listWithClock();
    list.revokeSession('session-1');
    expect(list.isRevoked(token())).toBe(true);
    expect(list.isRevoked(token({ sessionId: 'session-2' }))).toBe(false);
  });

  it('does not match a service token without session against any session entry', () => {
    const { list } = listWithClock();
    list.revokeSession('session-1');
    expect(list.isRevoked(token({ sessionId: undefined }))).toBe(false);
  });

  it('revokes by token id', () => {
    const { list } = listWithClock();
    list.revokeToken('token-1', START_S + 60);
    expect(list.isRevoked(token())).toBe(true);
    expect(list.isRevoked(token({ tokenId: 'token-2' }))).toBe(false);
  });

  it('revokes a user’s tokens issued at or before revokedBefore, not after', () => {
    const { list } = listWithClock();
    list.revokeUser('user-1', START_S);
    expect(list.isRevoked(token({ issuedAt: START_S - 1 }))).toBe(true);
    expect(list.isRevoked(token({ issuedAt: START_S }))).toBe(true);
    expect(list.isRevoked(token({ issuedAt: START_S + 1 }))).toBe(false);
    expect(list.isRevoked(token({ subject: 'user-2', issuedAt: START_S - 1 }))).toBe(false);
  });

  it('keeps the later revokedBefore when a user is revoked twice', () => {
    const { list } = listWithClock();
    list.revokeUser('user-1', START_S + 100);
    list.revokeUser('user-1', START_S);
    expect(list.isRevoked(token({ issuedAt: START_S + 50 }))).toBe(true);
  });

  it('expires session entries after the maximum token lifetime plus grace', () => {
    const { list, advanceSeconds } = listWithClock();
    list.revokeSession('session-1');
    advanceSeconds(LIFETIME + 59);
    expect(list.isRevoked(token())).toBe(true);
    advanceSeconds(1);
    expect(list.isRevoked(token())).toBe(false);
  });

  it('expires token entries at their expiresAt plus grace', () => {
    const { list, advanceSeconds } = listWithClock();
    list.revokeToken('token-1', START_S + 30);
    advanceSeconds(89);
    expect(list.isRevoked(token())).toBe(true);
    advanceSeconds(1);
    expect(list.isRevoked(token())).toBe(false);
  });

  it('expires user entries at revokedBefore plus the maximum token lifetime plus grace', () => {
    const { list, advanceSeconds } = listWithClock();
    list.revokeUser('user-1', START_S);
    advanceSeconds(LIFETIME + 59);
    expect(list.isRevoked(token())).toBe(true);
    advanceSeconds(1);
    expect(list.isRevoked(token())).toBe(false);
  });

  it('sweeps expired entries so its size stays bounded', () => {
    const { list, advanceSeconds } = listWithClock({ sweepIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i += 1) {
      list.revokeSession(`session-${i}`);
      list.revokeToken(`token-${i}`, START_S + 10);
      list.revokeUser(`user-${i}`, START_S);
    }
    expect(list.size).toBe(3000);
    advanceSeconds(71);
    expect(list.sweep()).toBe(1000);
    expect(list.size).toBe(2000);
    advanceSeconds(LIFETIME);
    expect(list.sweep()).toBe(2000);
    expect(list.size).toBe(0);
  });

  it('sweeps by itself on use once sweepIntervalMs has passed', () => {
    const { list, advanceSeconds } = listWithClock({ sweepIntervalMs: 60_000 });
    for (let i = 0; i < 100; i += 1) list.revokeToken(`token-${i}`, START_S);
    advanceSeconds(59);
    list.isRevoked(token());
    expect(list.size).toBe(100);
    advanceSeconds(1);
    list.isRevoked(token());
    expect(list.size).toBe(0);
  });

  it('round-trips through a snapshot', () => {
    const { list } = listWithClock();
    list.revokeSession('session-1', START_S + 100);
    list.revokeUser('user-1', START_S, START_S + 200);
    list.revokeToken('token-1', START_S + 300);
    const snapshot = JSON.parse(JSON.stringify(list.snapshot()));
    expect(snapshot).toEqual({
      version: 1,
      sessions: [{ sessionId: 'session-1', expiresAt: START_S + 100 }],
      users: [{ subject: 'user-1', revokedBefore: START_S, expiresAt: START_S + 200 }],
      tokens: [{ tokenId: 'token-1', expiresAt: START_S + 300 }],
    });
    const { list: copy } = listWithClock();
    copy.load(snapshot);
    expect(copy.snapshot()).toEqual(snapshot);
    expect(copy.isRevoked(token({ tokenId: 'x', sessionId: 'session-1' }))).toBe(true);
  });

  it('merges a snapshot with entries it already holds', () => {
    const { list } = listWithClock();
    list.revokeSession('live-event', START_S + 100);
    list.load({
      version: 1,
      sessions: [{ sessionId: 'from-snapshot', expiresAt: START_S + 100 }],
      users: [],
      tokens: [],
    });
    expect(list.size).toBe(2);
  });

  it('skips snapshot entries that have already expired', () => {
    const { list } = listWithClock();
    list.load({
      version: 1,
      sessions: [{ sessionId: 'old', expiresAt: START_S - 3600 }],
      users: [],
      tokens: [],
    });
    expect(list.size).toBe(0);
  });

  it.each([
    ['null', null],
    ['another version', { version: 2, sessions: [], users: [], tokens: [] }],
    ['a missing list', { version: 1, sessions: [], users: [] }],
    ['an entry without id', { version: 1, sessions: [{ expiresAt: 1 }], users: [], tokens: [] }],
    [
      'a string time',
      { version: 1, sessions: [], users: [], tokens: [{ tokenId: 't', expiresAt: '1' }] },
    ],
    [
      'a withdrawn key without kid',
      { version: 1, sessions: [], users: [], tokens: [], withdrawnKeys: [{ withdrawnAt: 1 }] },
    ],
  ])('refuses to load a snapshot with %s, changing nothing', (_name, snapshot) => {
    const { list } = listWithClock();
    list.revokeToken('kept', START_S + 60);
    expect(() => list.load(snapshot as never)).toThrow(TypeError);
    expect(list.size).toBe(1);
  });

  it('refuses empty ids and non-numeric times', () => {
    const { list } = listWithClock();
    expect(() => list.revokeSession('')).toThrow(TypeError);
    expect(() => list.revokeUser('user-1', Number.NaN)).toThrow(TypeError);
    expect(() => list.revokeToken('token-1', -1)).toThrow(TypeError);
  });
});
