import type { AccessTokenPrincipal } from './access-token-claims';

interface Entry {
  principal: AccessTokenPrincipal;
  /** Epoch seconds after which the entry must not be served. */
  validUntil: number;
  /** The kid of the key that verified it, so a withdrawn key's tokens can be dropped. */
  kid: string | undefined;
}

/**
 * Tokens whose signature and claims were already checked, keyed on the whole token string, so
 * a client sending the same token on every request pays for one RSA verification, not one per
 * request. Least-recently-used eviction in a dozen lines, using the insertion order of a Map:
 * a hit is deleted and re-inserted, so the first key is always the least recently used.
 *
 * Revocation is deliberately not cached: the middleware checks it on every request.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string, nowSeconds: number): AccessTokenPrincipal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    this.entries.delete(token);
    if (nowSeconds >= entry.validUntil) return undefined;
    this.entries.set(token, entry);
    return entry.principal;
  }

  /**
   * `validUntil` is the token's `exp`, without the clock tolerance: a cached answer is never
   * more lenient than a fresh verification would be.
   */
  set(
    token: string,
    principal: AccessTokenPrincipal,
    validUntil: number,
    kid: string | undefined,
  ): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { principal, validUntil, kid });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Drops the tokens verified with `kid`; returns how many. */
  deleteSignedBy(kid: string): number {
    let deleted = 0;
    for (const [token, entry] of this.entries) {
      if (entry.kid === kid && this.entries.delete(token)) deleted += 1;
    }
    return deleted;
  }
}
