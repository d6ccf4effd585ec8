import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts private keys at rest with AES-256-GCM. The 256-bit key is derived from
 * KEY_ENCRYPTION_SECRET with HKDF-SHA256: the secret is required to be long and random, so a
 * slow password KDF (scrypt) would add start-up time without adding strength. The key id is
 * authenticated as associated data, so a ciphertext moved to another row fails to decrypt.
 */
export class KeyEncryption {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', secret, 'dja/auth-service', 'signing-key-encryption/aes-256-gcm', 32),
    );
  }

  encrypt(plaintext: Buffer, kid: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), ciphertext]));
  }

  /** Throws when the data was altered or encrypted under another secret. */
  decrypt(sealed: Uint8Array, kid: string): Buffer {
    const data = Buffer.from(sealed);
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}
