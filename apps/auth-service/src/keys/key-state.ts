/**
 * Where a signing key is in its life. A key is published in the JWKS as `next` before it signs,
 * so verifiers have it cached by the time tokens carry its kid; it signs as `current`; it stays
 * published as `retiring` until every token it signed has expired; then it is `expired`.
 */
export type KeyState = 'next' | 'current' | 'retiring' | 'expired';

export interface KeySchedule {
  activateAt: Date;
  retireAt: Date | null;
  expiresAt: Date | null;
}

export function keyState(key: KeySchedule, now: Date): KeyState {
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  if (key.retireAt && key.retireAt <= now) return 'retiring';
  if (key.activateAt > now) return 'next';
  return 'current';
}

/** The key to sign with: the most recently activated current one. */
export function currentKey<K extends KeySchedule>(keys: readonly K[], now: Date): K | undefined {
  return keys
    .filter((key) => keyState(key, now) === 'current')
    .reduce<K | undefined>(
      (latest, key) => (latest && latest.activateAt >= key.activateAt ? latest : key),
      undefined,
    );
}
