import { conflict, notFound } from '@dja/http';
import type { Transaction } from '../database';
import { appendEvent } from '../outbox/outbox';
import { currentKey, keyState } from './key-state';
import {
  createSigningKey,
  LOCK_KEY_SET,
  retireOthers,
  type RotationDeps,
} from './rotate-signing-keys';

export interface Withdrawal {
  kid: string;
  withdrawnAt: Date;
  /** Subject of the admin who withdrew it. */
  withdrawnBy: string;
  /** The key that signs from now on. */
  activeKid: string;
  /**
   * How the active key was chosen: `unchanged` (the withdrawn key was not signing), `next` (the
   * key already published for the next rotation was activated early) or `generated`.
   */
  activation: 'unchanged' | 'next' | 'generated';
}

/**
 * Withdraws a signing key that has leaked, in one transaction: the key stops signing and leaves
 * the JWKS, its private key is erased (the row stays as a tombstone, so the kid can never come
 * back), another key signs at once when it was the active one, and `signing-key.withdrawn` goes
 * into the outbox for every replica of every service. Withdrawing a withdrawn key is a conflict.
 */
export async function withdrawSigningKey(
  deps: RotationDeps,
  { kid, actorId }: { kid: string; actorId: string },
): Promise<Withdrawal> {
  const { db, clock } = deps;
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(LOCK_KEY_SET);
      const key = await tx.signingKey.findUnique({ where: { kid } });
      if (!key) throw notFound('No signing key has this kid.');
      if (key.withdrawnAt) throw alreadyWithdrawn(key.withdrawnAt, key.withdrawnBy);
      const now = clock();
      const live = await tx.signingKey.findMany({ where: { withdrawnAt: null } });
      const wasActive = currentKey(live, now)?.kid === kid;
      await tx.signingKey.update({
        where: { kid },
        data: {
          withdrawnAt: now,
          withdrawnBy: actorId,
          privateKeyEncrypted: new Uint8Array(),
          retireAt: key.retireAt && key.retireAt < now ? key.retireAt : now,
        },
      });
      const { activeKid, activation } = wasActive
        ? await activateSuccessor(tx, deps, kid, live)
        : { activeKid: currentKey(live, now)!.kid, activation: 'unchanged' as const };
      const withdrawal = { kid, withdrawnAt: now, withdrawnBy: actorId, activeKid, activation };
      await appendEvent(
        tx,
        'signing-key.withdrawn',
        { kid, withdrawnAt: now.toISOString(), withdrawnBy: actorId, activeKid },
        now,
      );
      return withdrawal;
    },
    { timeout: 30_000 },
  );
}

/**
 * The key published for the next rotation signs at once: verifiers already hold it. Without
 * one a key is generated and signs at once; verifiers refetch the JWKS on the event.
 */
async function activateSuccessor(
  tx: Transaction,
  deps: RotationDeps,
  withdrawnKid: string,
  live: Awaited<ReturnType<Transaction['signingKey']['findMany']>>,
): Promise<{ activeKid: string; activation: 'next' | 'generated' }> {
  const now = deps.clock();
  const waiting = live.find((key) => key.kid !== withdrawnKid && keyState(key, now) === 'next');
  if (waiting) {
    await tx.signingKey.update({ where: { kid: waiting.kid }, data: { activateAt: now } });
    await retireOthers(tx, waiting.kid, now, deps.policy);
    return { activeKid: waiting.kid, activation: 'next' };
  }
  const created = await createSigningKey(tx, deps, { activateAt: now });
  await retireOthers(tx, created, now, deps.policy);
  return { activeKid: created, activation: 'generated' };
}

function alreadyWithdrawn(at: Date, by: string | null) {
  return conflict(
    `This signing key was withdrawn at ${at.toISOString()}${by ? ` by ${by}` : ''}; a withdrawn key cannot be withdrawn again or brought back.`,
  );
}
