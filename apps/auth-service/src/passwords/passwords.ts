import { ProblemError } from '@dja/http';
import type { PasswordThreads } from './password-threads';

/**
 * argon2id at OWASP's recommended minimum (Password Storage Cheat Sheet): 19 MiB of memory,
 * 2 passes, 1 lane, computed by @node-rs/argon2 on PasswordThreads, never on the event loop.
 * Raise memoryCost (and keep timeCost ≥ 1) when the hardware allows; existing hashes keep
 * verifying because the PHC string records the parameters they were made with.
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

/**
 * Hashes new passwords and checks given ones. With no hash (unknown user) it still runs one
 * argon2 verification against a throw-away hash, so "no such user" and "wrong password" take the
 * same time and cannot be told apart.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly threads: PasswordThreads) {}

  hash(password: string): Promise<string> {
    return this.threads.hash(password, PARAMETERS);
  }

  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    if (passwordHash === undefined) {
      await this.threads.verify(await this.dummy(), password).catch(notAHash);
      return false;
    }
    return this.threads.verify(passwordHash, password).catch(notAHash);
  }

  close(): Promise<void> {
    return this.threads.close();
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(`dummy-${Math.random()}`);
    return this.dummyHash;
  }
}

/** A stored hash argon2 cannot parse matches no password; being overloaded is still a 503. */
function notAHash(error: unknown): false {
  if (error instanceof ProblemError) throw error;
  return false;
}
