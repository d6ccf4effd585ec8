import { inSpan, markFailed } from '@dja/telemetry';
import { KeyObject, type webcrypto } from 'node:crypto';
import { importJWK } from 'jose';
import { isPlainObject } from './access-token-claims';
import { InvalidTokenError, JwksUnavailableError } from './errors';

export interface JwksCacheOptions {
  jwksUri: string;
  /** Least time between two fetches, whatever asks for them. Default 30 s. */
  cooldownMs?: number;
  /**
   * Refresh the keys this long after a successful fetch. A `Cache-Control: max-age` from the
   * auth service can shorten it, never below `cooldownMs`. Default 10 min.
   */
  maxAgeMs?: number;
  /**
   * How long known keys keep working after they should have been refreshed, while the auth
   * service cannot be reached. After that we fail closed. Default 24 h.
   */
  staleIfErrorMs?: number;
  /** Per-fetch timeout. Default 5 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Called when a refresh drops a key, so caches of tokens verified with it can be emptied. */
  onKeysRemoved?: () => void;
}

export interface VerificationKey {
  kid: string | undefined;
  key: KeyObject;
  /** RS256 signatures are exactly as long as the modulus; anything else is refused early. */
  signatureBytes: number;
}

export interface JwksStats {
  /** Fetches started, successful or not. */
  fetches: number;
  fetchFailures: number;
  /** Usable RS256 keys currently held. */
  keys: number;
  /** Kids withdrawn by the issuer: refused whatever a JWKS says. */
  withdrawnKeys: number;
  /** A fetch is under way. */
  fetching: boolean;
  /** Epoch ms of the last successful fetch. */
  lastSuccessAt: number | undefined;
  usable: boolean;
}

export const JWKS_DEFAULTS = {
  cooldownMs: 30_000,
  maxAgeMs: 10 * 60_000,
  staleIfErrorMs: 24 * 60 * 60_000,
  timeoutMs: 5_000,
} as const;

/** A JWKS of a few keys is a few KB; refuse to buffer anything absurd. */
const MAX_JWKS_BYTES = 256 * 1024;
const MIN_MODULUS_BITS = 2048;

/**
 * The auth service's RS256 keys, fetched from its JWKS endpoint and held in memory.
 *
 * Every fetch goes through `refresh()`, which lets at most one fetch run at a time and starts
 * none within `cooldownMs` of the previous one. That is what keeps a flood of tokens with random
 * `kid`s from turning into a flood of requests to the auth service. No timers: refreshes are
 * triggered by use, so there is nothing to stop at shutdown.
 */
export class JwksCache {
  private readonly uri: string;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  private readonly staleIfErrorMs: number;
  private readonly timeoutMs: number;
  private readonly fetchJwks: typeof fetch;
  private readonly now: () => number;
  private readonly onKeysRemoved: (() => void) | undefined;

  private byKid = new Map<string, VerificationKey>();
  private keys: Array<VerificationKey & { id: string }> = [];
  private freshUntil = 0;
  private usableUntil = 0;
  private lastSuccessAt: number | undefined;
  private lastAttemptAt: number | undefined;
  private inFlight: Promise<void> | undefined;
  /** Refused for good, even when a (stale) JWKS still lists them. Only ever grows: a few ids. */
  private readonly withdrawn = new Set<string>();
  /** Kids announced as the issuer's new key: meeting one unknown refetches despite the cooldown. */
  private readonly announced = new Set<string>();
  private fetches = 0;
  private fetchFailures = 0;
  /** Why the last fetch failed; for logs, never for clients. */
  lastError: unknown;

  constructor(options: JwksCacheOptions) {
    this.uri = options.jwksUri;
    this.cooldownMs = options.cooldownMs ?? JWKS_DEFAULTS.cooldownMs;
    this.maxAgeMs = options.maxAgeMs ?? JWKS_DEFAULTS.maxAgeMs;
    this.staleIfErrorMs = options.staleIfErrorMs ?? JWKS_DEFAULTS.staleIfErrorMs;
    this.timeoutMs = options.timeoutMs ?? JWKS_DEFAULTS.timeoutMs;
    this.fetchJwks = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.onKeysRemoved = options.onKeysRemoved;
  }

  isUsable(): boolean {
    return this.now() < this.usableUntil;
  }

  /** Resolves once keys are loaded; throws JwksUnavailableError when they cannot be. */
  async load(): Promise<void> {
    if (this.isUsable()) return;
    await this.refresh();
    if (!this.isUsable()) throw this.unavailable();
  }

  /**
   * The key for a `kid` when it is already known (the hot path: no promise, no fetch). Once
   * the keys are past their max age this also starts a background refresh.
   */
  peek(kid: string | undefined): VerificationKey | undefined {
    const now = this.now();
    if (now >= this.usableUntil) return undefined;
    if (now >= this.freshUntil) void this.refresh();
    return this.find(kid);
  }

  /** The key for a `kid`, refetching the set (cooldown permitting) when the kid is unknown. */
  async getKey(kid: string | undefined): Promise<VerificationKey> {
    if (this.isWithdrawn(kid)) {
      throw new InvalidTokenError('ERR_TOKEN_KEY_WITHDRAWN', 'the signing key was withdrawn');
    }
    const known = this.peek(kid);
    if (known) return known;
    if (kid === undefined && this.isUsable()) {
      // Guessing among several keys would be trying each one; the issuer must name its key.
      throw new InvalidTokenError('ERR_TOKEN_KEY_NOT_FOUND', 'no kid and several keys published');
    }
    await this.refresh({ ignoreCooldown: kid !== undefined && this.announced.has(kid) });
    if (!this.isUsable()) throw this.unavailable();
    const found = this.find(kid);
    if (!found)
      throw new InvalidTokenError('ERR_TOKEN_KEY_NOT_FOUND', 'no published key has this kid');
    return found;
  }

  isWithdrawn(kid: string | undefined): boolean {
    return kid !== undefined && this.withdrawn.has(kid);
  }

  /**
   * Refuses `kid` from now on: the key leaves memory at once and is filtered out of every later
   * fetch, so neither a stale JWKS nor the stale-if-error period can bring it back. Then the set
   * is fetched again, despite the cooldown, for the issuer's new key; `successor` names that key
   * when known, so a token carrying it refetches once more should this fetch be too early.
   * Returns false when the kid was already withdrawn.
   */
  withdraw(kid: string, successor?: string): boolean {
    if (this.withdrawn.has(kid)) return false;
    this.withdrawn.add(kid);
    this.install(
      this.keys.filter((key) => key.kid !== kid),
      undefined,
      { keepSchedule: true },
    );
    if (successor !== undefined && !this.byKid.has(successor)) this.announced.add(successor);
    void this.refresh({ ignoreCooldown: true });
    return true;
  }

  /** The withdrawn kids, for metrics and logs. */
  withdrawnKids(): string[] {
    return [...this.withdrawn];
  }

  stats(): JwksStats {
    return {
      fetches: this.fetches,
      fetchFailures: this.fetchFailures,
      keys: this.keys.length,
      withdrawnKeys: this.withdrawn.size,
      fetching: this.inFlight !== undefined,
      lastSuccessAt: this.lastSuccessAt,
      usable: this.isUsable(),
    };
  }

  /**
   * Fetches unless a fetch is running (then shares it) or ran within the cooldown. Never rejects.
   * `ignoreCooldown` is for a withdrawal and for kids it announced, never for arbitrary kids.
   */
  refresh({ ignoreCooldown = false }: { ignoreCooldown?: boolean } = {}): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const now = this.now();
    const cooling = this.lastAttemptAt !== undefined && now - this.lastAttemptAt < this.cooldownMs;
    if (cooling && !ignoreCooldown) return Promise.resolve();
    this.lastAttemptAt = now;
    this.inFlight = this.fetchAndInstall().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private find(kid: string | undefined): VerificationKey | undefined {
    if (kid !== undefined) return this.byKid.get(kid); // withdrawn kids are never in byKid
    return this.keys.length === 1 ? this.keys[0] : undefined;
  }

  /**
   * One fetch, as an `auth.jwks_fetch` span: HTTP status, keys installed, and on failure whether
   * this replica goes on with stale keys (`auth.jwks.stale_served`) or has none usable.
   */
  private fetchAndInstall(): Promise<void> {
    this.fetches += 1;
    return inSpan('auth.jwks_fetch', { attributes: { 'url.full': this.uri } }, async (span) => {
      try {
        const response = await this.fetchJwks(this.uri, {
          headers: { accept: 'application/jwk-set+json, application/json' },
          // A redirect would let whoever controls the Location header choose our keys.
          redirect: 'error',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        span.setAttribute('http.response.status_code', response.status);
        if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
        if (Number(response.headers.get('content-length')) > MAX_JWKS_BYTES) {
          throw new Error('JWKS document too large');
        }
        const text = await response.text();
        if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS document too large');
        const keys = (await importSigningKeys(JSON.parse(text))).filter(
          (key) => !this.isWithdrawn(key.kid),
        );
        span.setAttribute('auth.jwks.keys', keys.length);
        // An empty set is treated as a failed fetch: it would lock every user out at once, which
        // is far more likely a broken deployment than an intended state.
        if (keys.length === 0) throw new Error('JWKS holds no usable RS256 signing key');
        this.install(keys, maxAgeSeconds(response.headers.get('cache-control')));
      } catch (error) {
        this.fetchFailures += 1;
        this.lastError = error;
        markFailed(span, error);
        span.setAttribute('auth.jwks.stale_served', this.keys.length > 0 && this.isUsable());
      }
    });
  }

  private install(
    keys: Array<VerificationKey & { id: string }>,
    maxAgeSeconds?: number,
    { keepSchedule = false }: { keepSchedule?: boolean } = {},
  ): void {
    const kept = new Set(keys.map((key) => key.id));
    const removed = this.keys.some((key) => !kept.has(key.id));

    this.keys = keys;
    this.byKid = new Map();
    for (const key of keys) {
      if (key.kid === undefined) continue;
      this.byKid.set(key.kid, key);
      this.announced.delete(key.kid);
    }
    if (keepSchedule) return;

    const now = this.now();
    const advertised = maxAgeSeconds === undefined ? this.maxAgeMs : maxAgeSeconds * 1000;
    const refreshAfter = Math.min(this.maxAgeMs, Math.max(this.cooldownMs, advertised));
    this.lastSuccessAt = now;
    this.freshUntil = now + refreshAfter;
    this.usableUntil = this.freshUntil + this.staleIfErrorMs;
    if (removed) this.onKeysRemoved?.();
  }

  private unavailable(): JwksUnavailableError {
    const sinceAttempt = this.now() - (this.lastAttemptAt ?? 0);
    const retryAfter = Math.max(1, Math.ceil((this.cooldownMs - sinceAttempt) / 1000));
    return new JwksUnavailableError('no usable JWKS keys', retryAfter, { cause: this.lastError });
  }
}

/**
 * The RS256 verification keys of a JWK Set. Keys for other types, algorithms or uses are
 * skipped rather than failing the whole set, so the issuer can publish e.g. an encryption key
 * alongside. jose does the JWK validation and import; node:crypto gets the resulting KeyObject.
 */
async function importSigningKeys(jwks: unknown): Promise<Array<VerificationKey & { id: string }>> {
  if (!isPlainObject(jwks) || !Array.isArray(jwks.keys)) throw new Error('not a JWK Set');
  const keys: Array<VerificationKey & { id: string }> = [];
  const kids = new Set<string>();
  for (const jwk of jwks.keys as unknown[]) {
    if (!isPlainObject(jwk) || jwk.kty !== 'RSA' || typeof jwk.n !== 'string') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.key_ops !== undefined) {
      if (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify')) continue;
    }
    if (jwk.d !== undefined) continue; // a private key has no business in a JWKS
    const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined;
    if (kid !== undefined && kids.has(kid)) continue; // ambiguous: the first one wins
    let key: KeyObject;
    try {
      const { key_ops: _ops, ...publicJwk } = jwk;
      key = KeyObject.from((await importJWK(publicJwk, 'RS256')) as webcrypto.CryptoKey);
    } catch {
      continue;
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_MODULUS_BITS) continue;
    if (kid !== undefined) kids.add(kid);
    keys.push({ kid, key, signatureBytes: Math.ceil(bits / 8), id: `${kid ?? ''}.${jwk.n}` });
  }
  return keys;
}

function maxAgeSeconds(cacheControl: string | null): number | undefined {
  const match = cacheControl?.match(/(?:^|,)\s*max-age\s*=\s*(\d+)/i);
  return match ? Number(match[1]) : undefined;
}
