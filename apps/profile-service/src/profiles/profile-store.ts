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
 * Saves the caller's profile (PUT: omitted optional fields are cleared). The profile is created
 * from `user.registered` only (tokens carry no email, docs/adr/0010): until that event has been
 * processed the profile is missing and the result is null.
 */
export async function saveProfile(
  db: Database,
  userId: string,
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
  return db.profile.update({ where: { userId }, data: fields }).catch((error: unknown) => {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
      return null;
    }
    throw error;
  });
}
