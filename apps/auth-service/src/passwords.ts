import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet): 19 MiB of memory,
 * 2 passes, 1 lane. @node-rs/argon2 runs it on the libuv thread pool, so hashing never blocks the
 * event loop. Raise MEMORY_KIB (and keep TIME_COST ≥ 1) when the hardware allows; existing hashes
 * keep verifying because the PHC string records the parameters they were made with.
 */
const PARAMETERS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, which isolatedModules cannot inline)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** OWASP ASVS 2.1: at least 8 characters, no composition rules, long passphrases allowed. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMETERS);
}

/**
 * Checks a password against a stored hash. With no hash (unknown user) it still runs one argon2
 * verification against a throw-away hash, so "no such user" and "wrong password" take the same
 * time and cannot be told apart.
 */
export class PasswordVerifier {
  private dummyHash: Promise<string> | undefined;

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if (passwordHash === undefined) {
      await verify(await this.dummy(), password).catch(() => false);
      return false;
    }
    return verify(passwordHash, password).catch(() => false);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(`dummy-${Math.random()}`);
    return this.dummyHash;
  }
}
