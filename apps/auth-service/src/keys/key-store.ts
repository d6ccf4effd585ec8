import type { KeyObject } from 'node:crypto';
import type { Logger } from '@dja/http';
import { serviceUnavailable } from '@dja/http';
import type { Clock } from '../clock';
import type { Database } from '../database';
import type { KeyEncryption } from './key-encryption';
import { currentKey, type KeySchedule, keyState, type KeyState } from './key-state';
import { type PublicJwk, privateKeyFromPkcs8 } from './signing-key-material';

export interface LoadedKey extends KeySchedule {
  kid: string;
  source: string;
  createdAt: Date;
  publicJwk: PublicJwk;
  privateKey: KeyObject;
}

export interface KeyStoreOptions {
  db: Database;
  encryption: KeyEncryption;
  clock: Clock;
  logger: Logger;
  /** Re-read the key set this often, so a key another replica created is seen quickly. */
  reloadIntervalSeconds: number;
}

/**
 * This replica's copy of the signing keys in the database, private keys decrypted once per kid.
 * Every replica reloads it on a short timer; rotation itself is in rotate-signing-keys.ts.
 */
export class KeyStore {
  private keys: LoadedKey[] = [];
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  /** A reload started by a withdrawal; signing waits for it rather than use a stale key set. */
  private pendingReload: Promise<void> | undefined;

  constructor(private readonly options: KeyStoreOptions) {}

  /** Reads every key still published. Throws when a private key cannot be decrypted. */
  async reload(): Promise<void> {
    const { db, encryption, clock } = this.options;
    const rows = await db.signingKey.findMany({
      where: {
        withdrawnAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: clock() } }],
      },
      orderBy: [{ activateAt: 'asc' }, { createdAt: 'asc' }],
    });
    const known = new Map(this.keys.map((key) => [key.kid, key]));
    this.keys = rows.map((row) => ({
      kid: row.kid,
      source: row.source,
      createdAt: row.createdAt,
      activateAt: row.activateAt,
      retireAt: row.retireAt,
      expiresAt: row.expiresAt,
      publicJwk: row.publicJwk as unknown as PublicJwk,
      privateKey:
        known.get(row.kid)?.privateKey ??
        privateKeyFromPkcs8(encryption.decrypt(row.privateKeyEncrypted, row.kid)),
    }));
    this.loaded = true;
  }

  startReloading(): void {
    this.timer ??= setInterval(() => {
      this.reload().catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'reloading signing keys failed'),
      );
    }, this.options.reloadIntervalSeconds * 1000);
    this.timer.unref();
  }

  stopReloading(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** True once keys are loaded and one of them may sign now. */
  isReady(): boolean {
    return this.loaded && currentKey(this.keys, this.options.clock()) !== undefined;
  }

  /**
   * Drops a withdrawn key at once, without waiting for the database, and reloads to learn which
   * key signs instead. Until that reload is done, `currentSigningKey()` waits for it.
   */
  forget(kid: string): Promise<void> {
    this.keys = this.keys.filter((key) => key.kid !== kid);
    const reload = this.reload().finally(() => {
      if (this.pendingReload === reload) this.pendingReload = undefined;
    });
    this.pendingReload = reload;
    return reload;
  }

  /** The key to sign with, once a reload started by a withdrawal has finished. */
  async currentSigningKey(): Promise<LoadedKey> {
    await this.pendingReload?.catch(() => undefined);
    return this.signingKey();
  }

  /** The key to sign with now; a 503 when there is none (database unreachable at start-up). */
  signingKey(): LoadedKey {
    const key = currentKey(this.keys, this.options.clock());
    if (!key) throw serviceUnavailable('No signing key is available yet.', 5);
    return key;
  }

  /** What `GET /.well-known/jwks.json` serves: public parts of every key not expired. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.describe().map((key) => key.publicJwk) };
  }

  /** Published keys with their state, for the JWKS and the admin console. */
  describe(): Array<LoadedKey & { state: KeyState }> {
    const now = this.options.clock();
    return this.keys
      .map((key) => ({ ...key, state: keyState(key, now) }))
      .filter((key) => key.state !== 'expired');
  }
}
