import { randomUUID } from 'node:crypto';
import { conflict } from '@dja/http';
import { type Database, isUniqueViolation } from '../database';
import { appendEvent } from '../outbox/outbox';
import type { PasswordHasher } from '../passwords/passwords';

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  roles?: string[];
}

/** Creates a user and its `user.registered` event in one transaction; 409 if the email is taken. */
export async function registerUser(
  db: Database,
  passwords: PasswordHasher,
  input: NewUser,
  now: Date,
) {
  const passwordHash = await passwords.hash(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: {
          id: randomUUID(),
          email: input.email,
          name: input.name ?? null,
          passwordHash,
          roles: input.roles ?? ['user'],
          createdAt: now,
        },
      });
      await appendEvent(
        tx,
        'user.registered',
        { userId: user.id, email: user.email, name: user.name },
        now,
      );
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('An account with this email already exists.');
    throw error;
  }
}

/**
 * Creates the admin account from ADMIN_EMAIL / ADMIN_PASSWORD unless the email is taken. Safe on
 * every start of every replica: the insert is ON CONFLICT DO NOTHING, so concurrent starts do
 * not fail. An existing account is left as it is, never promoted: whoever registered that email
 * first must not become an admin through a configuration change.
 */
export async function ensureAdminAccount(
  db: Database,
  passwords: PasswordHasher,
  admin: { email: string; password: string },
  now: Date,
): Promise<'created' | 'exists' | 'taken by a non-admin'> {
  const passwordHash = await passwords.hash(admin.password);
  const id = randomUUID();
  return db.$transaction(async (tx) => {
    const { count } = await tx.user.createMany({
      data: [
        {
          id,
          email: admin.email,
          name: 'Administrator',
          passwordHash,
          roles: ['user', 'admin'],
          createdAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (count === 0) {
      const existing = await tx.user.findUniqueOrThrow({ where: { email: admin.email } });
      return existing.roles.includes('admin') ? 'exists' : 'taken by a non-admin';
    }
    await appendEvent(
      tx,
      'user.registered',
      { userId: id, email: admin.email, name: 'Administrator' },
      now,
    );
    return 'created';
  });
}
