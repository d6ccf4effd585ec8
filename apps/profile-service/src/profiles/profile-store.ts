import type { Database } from '../database';
import { Prisma, type Profile } from '../generated/prisma/client';
import { initialDisplayName, type ProfileUpdate } from './profile-input';

export type { Profile };

export interface Registration {
  userId: string;
  email: string;
  name?: string | null;
}

/**
 * Creates the profile of a newly registered user, once. A redelivered or republished event, or
 * one arriving after the user already saved a profile, changes nothing: the insert skips an
 * existing user id (`ON CONFLICT DO NOTHING`), atomically, whichever replica gets the event.
 * Returns true when this call created the profile.
 */
export async function createProfileOnRegistration(
  db: Database,
  registration: Registration,
  now: Date,
): Promise<boolean> {
  const created = await db.profile.createMany({
    data: {
      userId: registration.userId,
      email: registration.email,
      displayName: initialDisplayName(registration.name, registration.email),
      updatedAt: now,
    },
    skipDuplicates: true,
  });
  return created.count === 1;
}

export function findProfile(db: Database, userId: string): Promise<Profile | null> {
  return db.profile.findUnique({ where: { userId } });
}

/**
 * Saves the caller's profile (PUT: omitted optional fields are cleared). If `user.registered`
 * has not been processed yet, the profile is created here from the token's `sub` and `email`;
 * the event then finds it and leaves it alone. Without an email to create it from, a missing
 * profile stays missing and the result is null.
 */
export async function saveProfile(
  db: Database,
  owner: { userId: string; email: string | undefined },
  update: ProfileUpdate,
  now: Date,
): Promise<Profile | null> {
  const fields = {
    displayName: update.displayName,
    bio: update.bio ?? null,
    locale: update.locale ?? null,
    timeZone: update.timeZone ?? null,
    updatedAt: now,
  };
  const where = { userId: owner.userId };
  if (owner.email === undefined) {
    return db.profile.update({ where, data: fields }).catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
        return null;
      }
      throw error;
    });
  }
  // A single INSERT … ON CONFLICT DO UPDATE: safe against the event arriving at the same time.
  return db.profile.upsert({
    where,
    create: { ...where, email: owner.email, ...fields },
    update: fields,
  });
}
