import { isAuthError } from './errors';
import { type TestIssuer, type TestSigningKey, createTestIssuer, generateTestKey } from './testing';
import { type AccessTokenVerifier, createAccessTokenVerifier } from './verify-access-token';

/** Frozen clock: moved by hand only, so nothing here depends on how fast the machine is. */
const START = Date.UTC(2030, 0, 1);
const SECOND = 1000;
let now = START;
const clock = () => now;

let issuer: TestIssuer;
let verifier: AccessTokenVerifier;
let keys: { leaked: TestSigningKey; other: TestSigningKey; successor: TestSigningKey };

beforeAll(async () => {
  const [leaked, other, successor] = await Promise.all([
    generateTestKey(),
    generateTestKey(),
    generateTestKey({ kid: 'successor-kid' }),
  ]);
  keys = { leaked: leaked!, other: other!, successor: successor! };
}, 60_000);

beforeEach(async () => {
  now = START;
  issuer = await createTestIssuer({ keys: [keys.leaked, keys.other], now: clock });
  verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    now: clock,
    // Long cooldown and max age: any fetch seen below was caused by the withdrawal.
    jwks: { cooldownMs: 60 * SECOND, maxAgeMs: 10 * 60 * SECOND, staleIfErrorMs: 3600 * SECOND },
  });
  await verifier.ready();
});
afterEach(() => issuer.close());

const mintWith = (key: TestSigningKey) => issuer.mint({}, { key });
/** The issuer starts publishing the successor, as auth-service does after a withdrawal. */
const publishSuccessor = () =>
  issuer.publish({ keys: [keys.leaked, keys.other, keys.successor].map((key) => key.publicJwk) });
const leakedKid = () => keys.leaked.kid!;

async function outcome(token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return 'accepted';
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
}

/** Waits for the background refetch started by a withdrawal (or by age) to finish. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  while (verifier.stats().jwks.fetching) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('withdrawing a signing key', () => {
  it('refuses tokens signed with the withdrawn key at once, with ERR_TOKEN_KEY_WITHDRAWN', async () => {
    const token = mintWith(keys.leaked);
    expect(await outcome(token)).toBe('accepted');
    expect(verifier.withdrawKey(leakedKid())).toBe(true);
    expect(await outcome(token)).toBe('ERR_TOKEN_KEY_WITHDRAWN');
    expect(await outcome(mintWith(keys.leaked))).toBe('ERR_TOKEN_KEY_WITHDRAWN');
  });

  it('drops the withdrawn key’s tokens from the verified-token cache and keeps the others', async () => {
    const leakedToken = mintWith(keys.leaked);
    const otherToken = mintWith(keys.other);
    await verifier.verify(leakedToken);
    await verifier.verify(otherToken);
    expect(verifier.stats().verifiedCache.size).toBe(2);

    verifier.withdrawKey(leakedKid());
    expect(verifier.stats().verifiedCache.size).toBe(1);
    const hits = verifier.stats().verifiedCache.hits;
    expect(await outcome(otherToken)).toBe('accepted');
    expect(verifier.stats().verifiedCache.hits).toBe(hits + 1);
    expect(await outcome(leakedToken)).toBe('ERR_TOKEN_KEY_WITHDRAWN');
  });

  it('keeps refusing the kid when a stale JWKS still lists the key', async () => {
    verifier.withdrawKey(leakedKid());
    await settle();
    // The issuer (or a cache in front of it) still serves both keys, as before the withdrawal.
    expect(issuer.keys.map((key) => key.kid)).toContain(leakedKid());
    now += 11 * 60 * SECOND; // past max age: the next use refetches in the background
    expect(await outcome(mintWith(keys.other))).toBe('accepted');
    await settle();
    expect(verifier.stats().jwks.keys).toBe(1);
    expect(await outcome(mintWith(keys.leaked))).toBe('ERR_TOKEN_KEY_WITHDRAWN');
  });

  it('keeps refusing the kid during the stale-if-error period, when no refetch can succeed', async () => {
    const token = mintWith(keys.leaked);
    await verifier.verify(token);
    issuer.setAvailable(false);
    verifier.withdrawKey(leakedKid());
    await settle();
    now += 30 * 60 * SECOND; // stale, but within stale-if-error: known keys keep working
    expect(await outcome(mintWith(keys.other))).toBe('accepted');
    expect(await outcome(token)).toBe('ERR_TOKEN_KEY_WITHDRAWN');
  });

  it('refetches the JWKS at once despite the cooldown, and picks up the new key', async () => {
    const fetches = issuer.fetchCount;
    publishSuccessor();
    verifier.withdrawKey(leakedKid(), keys.successor.kid);
    await settle();
    expect(issuer.fetchCount).toBe(fetches + 1);
    expect(await outcome(mintWith(keys.successor))).toBe('accepted');
    expect(issuer.fetchCount).toBe(fetches + 1);
  });

  it('fetches again for the announced successor when the first refetch came too early', async () => {
    verifier.withdrawKey(leakedKid(), keys.successor.kid);
    await settle(); // this refetch does not have the new key yet
    const fetches = issuer.fetchCount;
    publishSuccessor();
    expect(await outcome(mintWith(keys.successor))).toBe('accepted');
    expect(issuer.fetchCount).toBe(fetches + 1);
    // Any other unknown kid still waits for the cooldown.
    expect(await outcome(issuer.mint({}, { header: { kid: 'random' } }))).toBe(
      'ERR_TOKEN_KEY_NOT_FOUND',
    );
    expect(issuer.fetchCount).toBe(fetches + 1);
  });

  it('refuses a token whose signature check was under way when the key was withdrawn', async () => {
    const token = mintWith(keys.leaked);
    // Two in one synchronous run: the first is checked on the event loop, the second goes to the
    // thread pool and is still under way when the key is withdrawn.
    const first = outcome(mintWith(keys.other));
    const pending = outcome(token);
    verifier.withdrawKey(leakedKid());
    expect(await first).toBe('accepted');
    expect(await pending).toBe('ERR_TOKEN_KEY_WITHDRAWN');
    expect(verifier.stats().verifiedCache.size).toBe(1);
  });

  it('answers false for a kid already withdrawn, and counts withdrawn keys', () => {
    expect(verifier.withdrawKey(leakedKid())).toBe(true);
    expect(verifier.withdrawKey(leakedKid())).toBe(false);
    expect(verifier.withdrawKey('never-published')).toBe(true);
    expect(verifier.stats().jwks.withdrawnKeys).toBe(2);
  });
});
