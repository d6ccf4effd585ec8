import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksUnavailableError, isAuthError } from './errors';
import { JwksCache, type JwksCacheOptions } from './jwks-cache';
import {
  type TestIssuer,
  createRequestRecorder,
  createTestIssuer,
  generateTestKey,
} from './testing';
import { type AccessTokenVerifierOptions, createAccessTokenVerifier } from './verify-access-token';

const START = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A clock tests move by hand. */
function manualClock() {
  let now = START;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

let issuer: TestIssuer;
beforeEach(async () => {
  issuer = await createTestIssuer();
});
afterEach(() => issuer.close());

function cacheFor(clock: { now: () => number }, options: Partial<JwksCacheOptions> = {}) {
  return new JwksCache({ jwksUri: issuer.jwksUri, now: clock.now, ...options });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('JwksCache', () => {
  it('loads the keys once at start-up and serves them from memory', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock);
    expect(jwks.isUsable()).toBe(false);
    await jwks.load();
    expect(jwks.isUsable()).toBe(true);
    for (let i = 0; i < 100; i += 1) await jwks.getKey(issuer.currentKey.kid);
    expect(issuer.fetchCount).toBe(1);
    expect(jwks.stats()).toMatchObject({ fetches: 1, fetchFailures: 0, keys: 1, usable: true });
  });

  it('fails to load with JwksUnavailableError when the auth service answers 503', async () => {
    issuer.setAvailable(false);
    const jwks = cacheFor(manualClock());
    await expect(jwks.load()).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(jwks.isUsable()).toBe(false);
    expect(jwks.stats()).toMatchObject({ fetches: 1, fetchFailures: 1 });
  });

  it('fails to load when nothing listens at the JWKS address', async () => {
    const jwksUri = issuer.jwksUri;
    await issuer.close();
    issuer = await createTestIssuer(); // for afterEach
    const jwks = new JwksCache({ jwksUri, now: manualClock().now });
    await expect(jwks.load()).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
  });

  it('tells callers when to retry while the cooldown holds fetches back', async () => {
    issuer.setAvailable(false);
    const clock = manualClock();
    const jwks = cacheFor(clock, { cooldownMs: 30 * SECOND });
    await expect(jwks.load()).rejects.toBeDefined();
    clock.advance(10 * SECOND);
    await expect(jwks.load()).rejects.toMatchObject({ retryAfterSeconds: 20 });
    expect(issuer.fetchCount).toBe(1);
  });

  it('answers a flood of 1000 random kids in parallel with at most one fetch per cooldown', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock, { cooldownMs: 30 * SECOND });
    await jwks.load();
    clock.advance(30 * SECOND);
    const flood = () =>
      Promise.all(Array.from({ length: 1000 }, () => codeOf(jwks.getKey(randomUUID()))));
    expect(new Set(await flood())).toEqual(new Set(['ERR_TOKEN_KEY_NOT_FOUND']));
    expect(issuer.fetchCount).toBe(2);
    clock.advance(29 * SECOND);
    await flood();
    expect(issuer.fetchCount).toBe(2);
    clock.advance(1 * SECOND);
    await flood();
    expect(issuer.fetchCount).toBe(3);
  });

  it('lets concurrent misses for a new kid share one fetch', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock);
    await jwks.load();
    const next = await issuer.rotate();
    clock.advance(30 * SECOND);
    const keys = await Promise.all(Array.from({ length: 50 }, () => jwks.getKey(next.kid)));
    expect(keys.every((found) => found.kid === next.kid)).toBe(true);
    expect(issuer.fetchCount).toBe(2);
  });

  it('picks up a rotated key once the cooldown allows a fetch', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock, { cooldownMs: 30 * SECOND });
    await jwks.load();
    clock.advance(30 * SECOND);
    const next = await issuer.rotate();
    await expect(jwks.getKey(next.kid)).resolves.toMatchObject({ kid: next.kid });
    expect(jwks.stats().keys).toBe(2);
  });

  it('refreshes in the background once the keys are older than maxAgeMs', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock, { maxAgeMs: 10 * MINUTE });
    await jwks.load();
    const first = issuer.currentKey;
    await issuer.rotate({ retirePrevious: true });
    clock.advance(10 * MINUTE);
    // The known key still answers immediately; the refresh runs behind it.
    expect(jwks.peek(first.kid)).toBeDefined();
    await jwks.refresh(); // joins the refresh in flight
    expect(issuer.fetchCount).toBe(2);
    expect(jwks.peek(first.kid)).toBeUndefined();
    expect(jwks.peek(issuer.currentKey.kid)).toBeDefined();
  });

  it('refreshes sooner when the JWKS response says Cache-Control max-age', async () => {
    await issuer.close();
    issuer = await createTestIssuer({ cacheControl: 'public, max-age=60' });
    const clock = manualClock();
    const jwks = cacheFor(clock, { maxAgeMs: 10 * MINUTE, cooldownMs: 30 * SECOND });
    await jwks.load();
    clock.advance(59 * SECOND);
    jwks.peek(issuer.currentKey.kid);
    expect(issuer.fetchCount).toBe(1);
    clock.advance(1 * SECOND);
    jwks.peek(issuer.currentKey.kid);
    await jwks.refresh();
    expect(issuer.fetchCount).toBe(2);
  });

  it('keeps known keys working while the auth service is down, until the stale-if-error period ends', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock, { maxAgeMs: 10 * MINUTE, staleIfErrorMs: 24 * HOUR });
    await jwks.load();
    issuer.setAvailable(false);
    const kid = issuer.currentKey.kid;

    clock.advance(10 * MINUTE);
    await expect(jwks.getKey(kid)).resolves.toBeDefined();
    await jwks.refresh();
    expect(jwks.stats()).toMatchObject({ fetchFailures: 1, usable: true });

    clock.advance(24 * HOUR - 1);
    await expect(jwks.getKey(kid)).resolves.toBeDefined();
    expect(jwks.isUsable()).toBe(true);

    clock.advance(1);
    expect(jwks.isUsable()).toBe(false);
    expect(await codeOf(jwks.getKey(kid))).toBe('ERR_JWKS_UNAVAILABLE');

    issuer.setAvailable(true);
    clock.advance(30 * SECOND);
    await expect(jwks.getKey(kid)).resolves.toBeDefined();
    expect(jwks.isUsable()).toBe(true);
  });

  it('keeps the known keys when a refresh returns garbage, an error or an empty set', async () => {
    const clock = manualClock();
    const jwks = cacheFor(clock);
    await jwks.load();
    issuer.setAvailable(false);
    clock.advance(30 * SECOND);
    await jwks.refresh();
    issuer.setAvailable(true);
    for (const document of ['not a key set', { keys: [] }, { keys: 'none' }, [1, 2]]) {
      issuer.publish(document);
      clock.advance(30 * SECOND);
      await jwks.refresh();
    }
    expect(jwks.stats()).toMatchObject({ fetches: 6, fetchFailures: 5, keys: 1, usable: true });
    expect(jwks.peek(issuer.currentKey.kid)).toBeDefined();
  });

  it('considers only RSA keys for RS256 signatures of at least 2048 bits', async () => {
    const good = await generateTestKey({ kid: null });
    const other = await generateTestKey();
    const jwk = (key: typeof other) => key.publicJwk;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    });
    issuer.publish({
      keys: [
        { ...ec, kid: 'ec', use: 'sig' },
        { ...jwk(other), kid: 'rs384', alg: 'RS384' },
        { ...jwk(other), kid: 'enc', use: 'enc' },
        { ...jwk(other), kid: 'wrap-only', key_ops: ['wrapKey'] },
        { ...other.privateKey.export({ format: 'jwk' }), kid: 'private' },
        { ...small, kid: 'small' },
        { kty: 'RSA', kid: 'broken', n: 'AQAB', e: 'AQAB' },
        jwk(good),
      ],
    });
    const jwks = cacheFor(manualClock());
    await jwks.load();
    expect(jwks.stats().keys).toBe(1);
    // The only usable key has no kid, and it is the only one: kid-less tokens may use it.
    expect(jwks.peek(undefined)?.kid).toBeUndefined();
    expect(jwks.peek(undefined)?.key.export({ format: 'jwk' }).n).toBe(good.publicJwk.n);
  });

  it('accepts keys with alg and use absent, and key_ops including verify', async () => {
    const key = await generateTestKey();
    const { alg: _alg, use: _use, ...bare } = key.publicJwk;
    issuer.publish({ keys: [bare, { ...bare, kid: 'ops', key_ops: ['verify'] }] });
    const jwks = cacheFor(manualClock());
    await jwks.load();
    expect(jwks.stats().keys).toBe(2);
  });

  it('gives up on a JWKS endpoint that does not answer within timeoutMs', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hanging.address() as AddressInfo;
      const jwks = new JwksCache({ jwksUri: `http://127.0.0.1:${port}/jwks`, timeoutMs: 50 });
      await expect(jwks.load()).rejects.toBeInstanceOf(JwksUnavailableError);
      expect(jwks.lastError).toMatchObject({ name: 'TimeoutError' });
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('does not follow a redirect from the JWKS endpoint', async () => {
    const target = await createRequestRecorder();
    const redirecting = createServer((_req, res) =>
      res.writeHead(302, { location: target.url }).end(),
    );
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const jwks = new JwksCache({ jwksUri: `http://127.0.0.1:${port}/jwks` });
      await expect(jwks.load()).rejects.toBeInstanceOf(JwksUnavailableError);
      expect(target.requests).toEqual([]);
    } finally {
      redirecting.closeAllConnections();
      redirecting.close();
      await target.close();
    }
  });
});

describe('the verifier on top of the JWKS cache', () => {
  /** An issuer and a verifier that share a clock the test moves, the verifier's keys loaded. */
  async function readyVerifierOnManualClock(jwks?: AccessTokenVerifierOptions['jwks']) {
    const clock = manualClock();
    await issuer.close();
    issuer = await createTestIssuer({ now: clock.now });
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      now: clock.now,
      jwks,
    });
    await verifier.ready();
    return { clock, verifier };
  }

  it('is not ready before its keys are loaded', async () => {
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
    });
    expect(verifier.isReady()).toBe(false);
    await verifier.ready();
    expect(verifier.isReady()).toBe(true);
    expect(verifier.stats().jwks).toMatchObject({ fetches: 1, keys: 1 });
  });

  it('fails closed for cached tokens too once the stale-if-error period is over', async () => {
    const { clock, verifier } = await readyVerifierOnManualClock({
      maxAgeMs: 10 * MINUTE,
      staleIfErrorMs: 1 * HOUR,
    });
    const token = issuer.mint({ exp: Math.floor(START / 1000) + 2 * 3600 });
    await verifier.verify(token);
    issuer.setAvailable(false);
    clock.advance(70 * MINUTE);
    expect(await codeOf(verifier.verify(token))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(verifier.isReady()).toBe(false);
  });

  it('forgets cached tokens when a refresh withdraws a key', async () => {
    const { clock, verifier } = await readyVerifierOnManualClock();
    const token = issuer.mint({ exp: Math.floor(START / 1000) + 3600 });
    await verifier.verify(token);
    await issuer.rotate({ retirePrevious: true });
    clock.advance(30 * SECOND);
    // A token with an unknown kid makes the verifier refetch, which withdraws the old key.
    expect(await codeOf(verifier.verify(issuer.mint({}, { header: { kid: 'unknown' } })))).toBe(
      'ERR_TOKEN_KEY_NOT_FOUND',
    );
    expect(verifier.stats().verifiedCache.size).toBe(0);
    expect(await codeOf(verifier.verify(token))).toBe('ERR_TOKEN_KEY_NOT_FOUND');
  });
});
