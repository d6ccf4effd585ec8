import { verify as verifySignature } from 'node:crypto';
import { markFailed, type Span, startSpan, withActiveSpan } from '@dja/telemetry';
import { type AccessTokenPrincipal, principalFromClaims } from './access-token-claims';
import { type AccessTokenJws, decodeJsonSegment, parseAccessTokenJws } from './compact-jws';
import { AuthError, InvalidTokenError } from './errors';
import {
  JwksCache,
  type JwksCacheOptions,
  type JwksStats,
  type VerificationKey,
} from './jwks-cache';
import { VerifiedTokenCache } from './verified-token-cache';

export interface AccessTokenVerifierOptions {
  /** Exact `iss` value the auth service puts in its tokens. */
  issuer: string;
  /** This service's identifier; must be in the token's `aud`. */
  audience: string;
  /** The auth service's JWKS endpoint. */
  jwksUri: string;
  /** Leeway for exp/nbf/iat against clock skew between hosts. Default 5 s. */
  clockToleranceSeconds?: number;
  /** Longer tokens are refused before any work is done. Default 4096 characters. */
  maxTokenLength?: number;
  /**
   * Refuse tokens whose `exp - iat` exceeds this. Set it to the auth service's access token
   * lifetime (the same value given to InMemoryRevocationList), so a user revocation cannot
   * expire before the tokens it covers. Default: not checked.
   */
  maxLifetimeSeconds?: number;
  /** Verified tokens kept in memory; 0 disables the cache. Default 10 000. */
  verifiedCacheMaxEntries?: number;
  jwks?: Pick<JwksCacheOptions, 'cooldownMs' | 'maxAgeMs' | 'staleIfErrorMs' | 'timeoutMs'>;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
  fetch?: typeof fetch;
}

export interface VerifierStats {
  jwks: JwksStats;
  verifiedCache: { size: number; hits: number; misses: number };
}

export interface AccessTokenVerifier {
  /** The principal of a valid access token; rejects with an AuthError otherwise. */
  verify(token: string): Promise<AccessTokenPrincipal>;
  /** Loads the keys; a service should not report ready (or listen) before this resolves. */
  ready(): Promise<void>;
  /** True while verification keys are usable (for readiness probes). */
  isReady(): boolean;
  /**
   * Refuses every token signed with `kid` from now on, cached or not, whatever a JWKS says
   * later: for a signing key the issuer withdrew because it leaked. `successor` is the issuer's
   * new key, fetched even within the JWKS cooldown. Returns false when it was already withdrawn.
   */
  withdrawKey(kid: string, successor?: string): boolean;
  /** Counters for metrics. */
  stats(): VerifierStats;
}

export const VERIFIER_DEFAULTS = {
  clockToleranceSeconds: 5,
  maxTokenLength: 4096,
  verifiedCacheMaxEntries: 10_000,
} as const;

/**
 * The access token verifier every resource service uses.
 *
 * jose imports and validates the JWKs; the signature itself is checked with node:crypto on a
 * KeyObject imported once per key: synchronously for a token alone, on the libuv thread pool
 * for tokens that arrive together (verifyWithKey). jose's own verify path goes through
 * WebCrypto, which costs several times more per token (see docs/benchmarks.md).
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  assertOptions(options);
  const now = options.now ?? Date.now;
  const toleranceSeconds = options.clockToleranceSeconds ?? VERIFIER_DEFAULTS.clockToleranceSeconds;
  const maxTokenLength = options.maxTokenLength ?? VERIFIER_DEFAULTS.maxTokenLength;
  const cache = new VerifiedTokenCache(
    options.verifiedCacheMaxEntries ?? VERIFIER_DEFAULTS.verifiedCacheMaxEntries,
  );
  const jwks = new JwksCache({
    ...options.jwks,
    jwksUri: options.jwksUri,
    now,
    fetch: options.fetch,
    // Tokens signed with a withdrawn key must not live on in the cache.
    onKeysRemoved: () => cache.clear(),
  });
  const claimExpectations = {
    issuer: options.issuer,
    audience: options.audience,
    toleranceSeconds,
    maxLifetimeSeconds: options.maxLifetimeSeconds,
  };
  let hits = 0;
  let misses = 0;
  /**
   * Decoding space for the event-loop path (signing input, signature) and for every payload:
   * each use is synchronous and ends before the next starts, so one allocation per verifier
   * replaces three Buffers per token (and the 8 KiB pool slabs they come from). Tokens longer
   * than the space (only with a maxTokenLength above 8 KiB) get Buffers of their own.
   */
  const scratchBytes = Math.min(maxTokenLength, 8192);
  const scratch = {
    input: Buffer.allocUnsafeSlow(scratchBytes),
    signature: Buffer.allocUnsafeSlow(scratchBytes),
    payload: Buffer.allocUnsafeSlow(scratchBytes),
  };
  /**
   * Signature checks handed to the thread pool and not yet answered, plus those checked on the
   * event loop whose callers have not yet had their turn (until the next microtask).
   */
  let inFlight = 0;

  /** Claims, then into the cache, once the signature is known to verify. */
  function acceptSigned(
    token: string,
    jws: AccessTokenJws,
    nowSeconds: number,
    ok: boolean,
  ): AccessTokenPrincipal {
    if (!ok) throw new InvalidTokenError('ERR_TOKEN_SIGNATURE', 'signature does not verify');
    const payload = decodeJsonSegment(jws.payloadSegment, 'payload', scratch.payload);
    const principal = principalFromClaims(payload, claimExpectations, nowSeconds);
    // The key may have been withdrawn while the signature was being checked.
    if (jwks.isWithdrawn(jws.kid)) throw withdrawnKeyError();
    cache.set(token, principal, principal.expiresAt, jws.kid);
    return principal;
  }

  /**
   * The signature is checked on the event loop when no other verification is under way, and on
   * the libuv thread pool when one is. One token at a time, a trip to a pool thread costs more
   * than the RSA operation itself (a job handed over and a wake-up back, and the latency of
   * both); with many tokens at once, the pool puts the other cores to work while the event loop
   * parses the next request. The event-loop path returns the principal itself, not a promise:
   * at concurrency 1 every promise, closure and microtask is a share of the RSA operation.
   */
  function verifyWithKey(
    token: string,
    jws: AccessTokenJws,
    { key, signatureBytes }: VerificationKey,
    nowSeconds: number,
  ): AccessTokenPrincipal | Promise<AccessTokenPrincipal> {
    // The segments are base64url text (parseAccessTokenJws checked), so the signing input's
    // UTF-8 bytes are its ASCII bytes; Buffer's UTF-8 encoder is several times faster than its
    // latin1 one. On the event loop they are decoded into this verifier's scratch space.
    if (inFlight === 0 && token.length <= scratchBytes) {
      const signatureLength = scratch.signature.write(jws.signatureSegment, 'base64url');
      if (signatureLength !== signatureBytes) throw wrongSignatureLength();
      const inputLength = scratch.input.write(jws.signingInput, 'utf8');
      // Callers started in the same synchronous run (a burst) see this one and use the pool.
      inFlight += 1;
      queueMicrotask(endSyncVerification);
      const ok = verifySignature(
        'sha256',
        scratch.input.subarray(0, inputLength),
        key,
        scratch.signature.subarray(0, signatureLength),
      );
      return acceptSigned(token, jws, nowSeconds, ok);
    }
    // A pool job reads its bytes later, from a thread: they need Buffers of their own.
    const signature = Buffer.from(jws.signatureSegment, 'base64url');
    if (signature.length !== signatureBytes) throw wrongSignatureLength();
    const signed = Buffer.from(jws.signingInput);
    inFlight += 1;
    return new Promise((resolve, reject) => {
      verifySignature('sha256', signed, key, signature, (error, ok) => {
        inFlight -= 1;
        try {
          if (error) throw error;
          resolve(acceptSigned(token, jws, nowSeconds, ok));
        } catch (failure) {
          reject(asAuthError(failure));
        }
      });
    });
  }

  function endSyncVerification(): void {
    inFlight -= 1;
  }

  /** The principal, or a promise of it when the signature goes to the pool or keys to a fetch. */
  function verifyUncached(
    token: string,
    nowSeconds: number,
    span: Span,
  ): AccessTokenPrincipal | Promise<AccessTokenPrincipal> {
    const jws = parseAccessTokenJws(token, maxTokenLength);
    if (jws.kid !== undefined) span.setAttribute('auth.kid', jws.kid);
    if (jwks.isWithdrawn(jws.kid)) throw withdrawnKeyError();
    const known = jwks.peek(jws.kid);
    if (known) return verifyWithKey(token, jws, known, nowSeconds);
    // An unknown kid may mean a refetch: its auth.jwks_fetch span is a child of this one.
    return withActiveSpan(span, () => jwks.getKey(jws.kid)).then((key) =>
      verifyWithKey(token, jws, key, nowSeconds),
    );
  }

  /**
   * Each verification is an `auth.verify_token` span: outcome, error code, cache hit or miss,
   * kid. Never the token or its claims. With tracing off the span is the API's no-op.
   */
  return {
    verify(token) {
      const span = startSpan('auth.verify_token');
      const nowSeconds = now() / 1000;
      if (cache.maxEntries > 0 && typeof token === 'string' && token.length <= maxTokenLength) {
        const cached = cache.get(token, nowSeconds);
        // Keys past their stale-if-error period fail closed for cached tokens too.
        if (cached && jwks.isUsable()) {
          hits += 1;
          span.setAttributes({ 'auth.cache': 'hit', 'auth.outcome': 'valid' });
          span.end();
          return Promise.resolve(cached);
        }
      }
      misses += 1;
      span.setAttribute('auth.cache', 'miss');
      let verified: AccessTokenPrincipal | Promise<AccessTokenPrincipal>;
      try {
        verified = verifyUncached(token, nowSeconds, span);
      } catch (error) {
        return Promise.reject(refused(span, error));
      }
      if (verified instanceof Promise) {
        return verified.then(
          (principal) => accepted(span, principal),
          (error: unknown) => {
            throw refused(span, error);
          },
        );
      }
      return Promise.resolve(accepted(span, verified));
    },
    withdrawKey(kid, successor) {
      if (!jwks.withdraw(kid, successor)) return false;
      cache.deleteSignedBy(kid);
      return true;
    },
    ready: () => jwks.load(),
    isReady: () => jwks.isUsable(),
    stats: () => ({
      jwks: jwks.stats(),
      verifiedCache: { size: cache.size, hits, misses },
    }),
  };
}

function accepted(span: Span, principal: AccessTokenPrincipal): AccessTokenPrincipal {
  span.setAttribute('auth.outcome', 'valid');
  span.end();
  return principal;
}

function refused(span: Span, error: unknown): AuthError {
  const failure = asAuthError(error);
  span.setAttributes({ 'auth.outcome': 'refused', 'auth.error_code': failure.code });
  markFailed(span, failure);
  span.end();
  return failure;
}

const wrongSignatureLength = () =>
  new InvalidTokenError('ERR_TOKEN_SIGNATURE', 'signature has the wrong length');

const withdrawnKeyError = () =>
  new InvalidTokenError('ERR_TOKEN_KEY_WITHDRAWN', 'the signing key was withdrawn');

/** Whatever else went wrong with this input, it is still an invalid token, never a 500. */
function asAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  return new InvalidTokenError('ERR_TOKEN_MALFORMED', 'token could not be processed', undefined, {
    cause: error,
  });
}

function assertOptions(options: AccessTokenVerifierOptions): void {
  for (const name of ['issuer', 'audience', 'jwksUri'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`createAccessTokenVerifier: "${name}" must be a non-empty string`);
    }
  }
  const { protocol } = new URL(options.jwksUri);
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new TypeError('createAccessTokenVerifier: "jwksUri" must be an http(s) URL');
  }
}
