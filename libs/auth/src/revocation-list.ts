import type { AccessTokenPrincipal } from './access-token-claims';

/** What a revocation decision needs to know about a verified token. */
export type RevocationSubject = Pick<
  AccessTokenPrincipal,
  'subject' | 'sessionId' | 'tokenId' | 'issuedAt'
>;

/**
 * Access tokens are stateless, so a logout or a suspension only takes effect before `exp` if
 * every service also asks this. The middleware consults it on every request, cached tokens
 * included. Implementations may be asynchronous (a shared store); the in-memory one is not.
 */
export interface RevocationList {
  isRevoked(token: RevocationSubject): boolean | Promise<boolean>;
}

/** Serializable state, as auth-service hands it to a starting replica. Times in epoch seconds. */
export interface RevocationSnapshot {
  version: 1;
  sessions: Array<{ sessionId: string; expiresAt: number }>;
  users: Array<{ subject: string; revokedBefore: number; expiresAt: number }>;
  tokens: Array<{ tokenId: string; expiresAt: number }>;
  /**
   * Signing keys withdrawn after a leak; a verifier refuses their kid for good
   * (`AccessTokenVerifier.withdrawKey`). They never expire. Absent from older auth services.
   */
  withdrawnKeys?: Array<{ kid: string; withdrawnAt: number }>;
}

export interface InMemoryRevocationListOptions {
  /**
   * The longest access token lifetime the auth service issues, in seconds. An entry only has
   * to outlive the tokens it covers, so default expiries are derived from it.
   */
  maxTokenLifetimeSeconds: number;
  /**
   * Entries are kept this long past their `expiresAt`, to cover verifiers' clock tolerance and
   * skew between hosts. Default 60 s.
   */
  expiryGraceSeconds?: number;
  /** Expired entries are swept at most this often, lazily on use. Default 60 s. */
  sweepIntervalMs?: number;
  /** Clock in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

interface UserEntry {
  revokedBefore: number;
  expiresAt: number;
}

/**
 * Revocations by session id (logout), by user (suspension, password change: every token issued
 * at or before a moment) and by token id. Every entry expires once the tokens it covers have
 * expired anyway, and expired entries are swept lazily (no timer to stop), so memory stays
 * proportional to the revocations of the last token lifetime.
 *
 * A user entry refuses tokens with `iat <= revokedBefore`: a token issued in the same second as
 * a suspension is refused too, since `iat` has one-second resolution and the auth service stops
 * issuing to suspended users anyway. Lifting a suspension needs no call here: tokens issued
 * after `revokedBefore` already pass, while the ones issued before stay revoked.
 */
export class InMemoryRevocationList implements RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, UserEntry>();
  private readonly tokens = new Map<string, number>();
  private readonly maxTokenLifetimeSeconds: number;
  private readonly graceSeconds: number;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private lastSweepAt: number;

  constructor(options: InMemoryRevocationListOptions) {
    assertSeconds('maxTokenLifetimeSeconds', options.maxTokenLifetimeSeconds);
    this.maxTokenLifetimeSeconds = options.maxTokenLifetimeSeconds;
    this.graceSeconds = options.expiryGraceSeconds ?? 60;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.lastSweepAt = this.now();
  }

  /** Entries held, including expired ones not swept yet. */
  get size(): number {
    return this.sessions.size + this.users.size + this.tokens.size;
  }

  /** `expiresAt` defaults to now + the maximum token lifetime. */
  revokeSession(sessionId: string, expiresAt = this.defaultExpiry()): void {
    assertId('sessionId', sessionId);
    assertSeconds('expiresAt', expiresAt);
    this.sessions.set(sessionId, Math.max(expiresAt, this.sessions.get(sessionId) ?? 0));
    this.maybeSweep();
  }

  /** Refuses the user's tokens with `iat <= revokedBefore`; expires when they all have. */
  revokeUser(
    subject: string,
    revokedBefore: number,
    expiresAt = revokedBefore + this.maxTokenLifetimeSeconds,
  ): void {
    assertId('subject', subject);
    assertSeconds('revokedBefore', revokedBefore);
    assertSeconds('expiresAt', expiresAt);
    const existing = this.users.get(subject);
    this.users.set(subject, {
      revokedBefore: Math.max(revokedBefore, existing?.revokedBefore ?? 0),
      expiresAt: Math.max(expiresAt, existing?.expiresAt ?? 0),
    });
    this.maybeSweep();
  }

  /** `expiresAt` should be the token's `exp`; defaults to now + the maximum token lifetime. */
  revokeToken(tokenId: string, expiresAt = this.defaultExpiry()): void {
    assertId('tokenId', tokenId);
    assertSeconds('expiresAt', expiresAt);
    this.tokens.set(tokenId, Math.max(expiresAt, this.tokens.get(tokenId) ?? 0));
    this.maybeSweep();
  }

  isRevoked(token: RevocationSubject): boolean {
    // One clock read per request: this runs for every request, cached token or not.
    const nowMs = this.now();
    this.maybeSweep(nowMs);
    const now = nowMs / 1000;
    if (this.isLive(this.tokens.get(token.tokenId), now)) return true;
    if (token.sessionId !== undefined && this.isLive(this.sessions.get(token.sessionId), now)) {
      return true;
    }
    const user = this.users.get(token.subject);
    return (
      user !== undefined && this.isLive(user.expiresAt, now) && token.issuedAt <= user.revokedBefore
    );
  }

  /** Drops expired entries; returns how many. Also runs by itself every `sweepIntervalMs`. */
  sweep(): number {
    const before = this.size;
    const now = this.nowSeconds();
    this.lastSweepAt = this.now();
    for (const [id, expiresAt] of this.sessions)
      if (!this.isLive(expiresAt, now)) this.sessions.delete(id);
    for (const [id, expiresAt] of this.tokens)
      if (!this.isLive(expiresAt, now)) this.tokens.delete(id);
    for (const [id, user] of this.users)
      if (!this.isLive(user.expiresAt, now)) this.users.delete(id);
    return before - this.size;
  }

  snapshot(): RevocationSnapshot {
    this.sweep();
    return {
      version: 1,
      sessions: [...this.sessions].map(([sessionId, expiresAt]) => ({ sessionId, expiresAt })),
      users: [...this.users].map(([subject, user]) => ({ subject, ...user })),
      tokens: [...this.tokens].map(([tokenId, expiresAt]) => ({ tokenId, expiresAt })),
    };
  }

  /**
   * Merges a snapshot into the current entries rather than replacing them, so revocations that
   * arrived (e.g. over the message bus) while the snapshot was in flight are kept.
   * Throws TypeError, changing nothing, if the snapshot is malformed.
   */
  load(snapshot: RevocationSnapshot): void {
    const { sessions, users, tokens } = parseSnapshot(snapshot);
    for (const entry of sessions) this.revokeSession(entry.sessionId, entry.expiresAt);
    for (const entry of users) this.revokeUser(entry.subject, entry.revokedBefore, entry.expiresAt);
    for (const entry of tokens) this.revokeToken(entry.tokenId, entry.expiresAt);
    this.sweep();
  }

  private isLive(expiresAt: number | undefined, nowSeconds: number): boolean {
    return expiresAt !== undefined && nowSeconds < expiresAt + this.graceSeconds;
  }

  private nowSeconds(): number {
    return this.now() / 1000;
  }

  private defaultExpiry(): number {
    return Math.ceil(this.nowSeconds()) + this.maxTokenLifetimeSeconds;
  }

  private maybeSweep(nowMs = this.now()): void {
    if (nowMs - this.lastSweepAt >= this.sweepIntervalMs) this.sweep();
  }
}

function parseSnapshot(snapshot: unknown): Omit<RevocationSnapshot, 'version'> {
  const value = snapshot as Partial<RevocationSnapshot> | null;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    value.version === 1 &&
    isListOf(value.sessions, (e) => isId(e.sessionId) && isSeconds(e.expiresAt)) &&
    isListOf(value.tokens, (e) => isId(e.tokenId) && isSeconds(e.expiresAt)) &&
    isListOf(
      value.users,
      (e) => isId(e.subject) && isSeconds(e.revokedBefore) && isSeconds(e.expiresAt),
    ) &&
    (value.withdrawnKeys === undefined ||
      isListOf(value.withdrawnKeys, (e) => isId(e.kid) && isSeconds(e.withdrawnAt)));
  if (!valid) throw new TypeError('not a version 1 revocation snapshot');
  return value as RevocationSnapshot;
}

function isListOf(value: unknown, check: (entry: Record<string, unknown>) => boolean): boolean {
  return (
    Array.isArray(value) &&
    value.every((entry) => typeof entry === 'object' && entry !== null && check(entry))
  );
}

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

function assertId(name: string, value: unknown): void {
  if (!isId(value)) throw new TypeError(`${name} must be a non-empty string`);
}

function assertSeconds(name: string, value: unknown): void {
  if (!isSeconds(value)) throw new TypeError(`${name} must be a non-negative number of seconds`);
}
