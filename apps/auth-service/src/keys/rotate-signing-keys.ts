import { inSpan } from '@dja/telemetry';
import type { Logger } from '@dja/http';
import { addSeconds, type Clock } from '../clock';
import type { Database, Transaction } from '../database';
import type { KeyEncryption } from './key-encryption';
import { currentKey, keyState } from './key-state';
import type { KeyStore } from './key-store';
import {
  generateSigningKey,
  importSigningKey,
  SIGNING_ALGORITHM,
  type SigningKeyMaterial,
} from './signing-key-material';

export interface RotationPolicy {
  /** Seconds a new key is published before it signs: at least the verifiers' JWKS cache time. */
  activationDelaySeconds: number;
  /** Seconds a key signs before the scheduled rotation replaces it. */
  rotationIntervalSeconds: number;
  /** A retired key stays published this long after its last signature: token lifetime + skew. */
  retentionSeconds: number;
}

export interface RotationDeps {
  db: Database;
  encryption: KeyEncryption;
  clock: Clock;
  policy: RotationPolicy;
}

export interface RotationResult {
  /** False when no key was created: one is already waiting to activate, or none is due. */
  created: boolean;
  kid: string;
  activateAt: Date;
}

// Key changes from several replicas are serialised on one PostgreSQL advisory lock, held until
// the transaction ends; a replica that waited sees what the other one did and does nothing.
export const LOCK_KEY_SET = `SELECT pg_advisory_xact_lock(hashtext('dja.auth-service.signing-keys'))`;

/**
 * Staged rotation. The new key is published at once but signs only after the activation delay;
 * from then the previous key is `retiring` and leaves the JWKS when its last token has expired.
 * With no usable key at all (first start) the new key signs immediately: nobody has tokens yet.
 *
 * Without `force` (the schedule) a key is created only when the current one is older than the
 * rotation interval, so every replica may call this on a timer. A rotation already waiting to
 * activate is returned as it is, also with `force`: stacking keys would gain nothing.
 */
export async function rotateSigningKeys(
  deps: RotationDeps,
  { force }: { force: boolean },
): Promise<RotationResult> {
  return inSpan(
    'auth.rotate_signing_keys',
    { attributes: { 'auth.rotation.forced': force } },
    async (span) => {
      const result = await rotateInTransaction(deps, force);
      span.setAttributes({ 'auth.kid': result.kid, 'auth.rotation.created': result.created });
      return result;
    },
  );
}

async function rotateInTransaction(deps: RotationDeps, force: boolean): Promise<RotationResult> {
  const { db, clock, policy } = deps;
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(LOCK_KEY_SET);
      const now = clock();
      // Generated keys are forgotten once expired; imported ones are kept, so that a
      // SIGNING_KEY_FILE still configured is not imported (and activated) again on restart.
      // Withdrawn keys are kept for good: the tombstone is what keeps their kid from returning.
      await tx.signingKey.deleteMany({
        where: { source: 'generated', expiresAt: { lte: now }, withdrawnAt: null },
      });
      const keys = await tx.signingKey.findMany({ where: { withdrawnAt: null } });
      const waiting = keys.find((key) => keyState(key, now) === 'next');
      if (waiting) return { created: false, kid: waiting.kid, activateAt: waiting.activateAt };
      const current = currentKey(keys, now);
      if (
        current &&
        !force &&
        addSeconds(current.activateAt, policy.rotationIntervalSeconds) > now
      ) {
        return { created: false, kid: current.kid, activateAt: current.activateAt };
      }
      const activateAt = current ? addSeconds(now, policy.activationDelaySeconds) : now;
      const kid = await createSigningKey(tx, deps, { activateAt });
      await retireOthers(tx, kid, activateAt, policy);
      return { created: true, kid, activateAt };
    },
    { timeout: 30_000 },
  );
}

/**
 * Imports the PEM of SIGNING_KEY_FILE and makes it the signing key at once, retiring the others.
 * The kid is the key's RFC 7638 thumbprint, so importing the same file again changes nothing.
 * Verifiers holding a cached JWKS fetch it again when they meet the new kid.
 */
export async function importSigningKeyFile(
  deps: RotationDeps,
  pem: string,
): Promise<RotationResult> {
  const { db, encryption, clock, policy } = deps;
  const material = await importSigningKey(pem);
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(LOCK_KEY_SET);
    const existing = await tx.signingKey.findUnique({ where: { kid: material.kid } });
    if (existing?.withdrawnAt) {
      throw new Error(withdrawnKeyFileMessage(existing.kid, existing.withdrawnAt));
    }
    if (existing) return { created: false, kid: existing.kid, activateAt: existing.activateAt };
    const now = clock();
    await insertKey(tx, encryption, material, { source: 'imported', now, activateAt: now });
    await retireOthers(tx, material.kid, now, policy);
    return { created: true, kid: material.kid, activateAt: now };
  });
}

function withdrawnKeyFileMessage(kid: string, at: Date): string {
  return (
    `SIGNING_KEY_FILE holds the signing key ${kid}, withdrawn at ${at.toISOString()}: ` +
    'a withdrawn key can never sign again. Point SIGNING_KEY_FILE at a new key, or unset it.'
  );
}

/**
 * Runs the scheduled rotation on a timer in this replica (safe in all of them) and reloads the
 * key store when a key was created. Returns a function that stops it.
 */
export function scheduleKeyRotation(
  deps: RotationDeps & { keys: KeyStore; logger: Logger },
): () => void {
  const checkEverySeconds = Math.min(60, deps.policy.rotationIntervalSeconds);
  const timer = setInterval(() => {
    rotateSigningKeys(deps, { force: false })
      .then(async (result) => {
        if (!result.created) return;
        deps.logger.info({ kid: result.kid, activateAt: result.activateAt }, 'signing key created');
        await deps.keys.reload();
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'key rotation failed'));
  }, checkEverySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Generates a key and stores it, signing from `activateAt`; returns its kid. */
export async function createSigningKey(
  tx: Transaction,
  { encryption, clock }: Pick<RotationDeps, 'encryption' | 'clock'>,
  { activateAt }: { activateAt: Date },
): Promise<string> {
  const material = await generateSigningKey();
  await insertKey(tx, encryption, material, { source: 'generated', now: clock(), activateAt });
  return material.kid;
}

async function insertKey(
  tx: Transaction,
  encryption: KeyEncryption,
  material: SigningKeyMaterial,
  { source, now, activateAt }: { source: 'generated' | 'imported'; now: Date; activateAt: Date },
): Promise<void> {
  await tx.signingKey.create({
    data: {
      kid: material.kid,
      alg: SIGNING_ALGORITHM,
      publicJwk: { ...material.publicJwk },
      privateKeyEncrypted: encryption.encrypt(material.pkcs8, material.kid),
      source,
      createdAt: now,
      activateAt,
    },
  });
}

/** Every other key not yet retired stops signing at `retireAt` and leaves the JWKS later. */
export async function retireOthers(
  tx: Transaction,
  kid: string,
  retireAt: Date,
  policy: RotationPolicy,
): Promise<void> {
  await tx.signingKey.updateMany({
    where: { kid: { not: kid }, OR: [{ retireAt: null }, { retireAt: { gt: retireAt } }] },
    data: { retireAt, expiresAt: addSeconds(retireAt, policy.retentionSeconds) },
  });
}
