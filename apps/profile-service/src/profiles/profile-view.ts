import type { Profile } from './profile-store';

/** What the owner sees of their profile (`/profile/me`). */
export function ownProfileView(profile: Profile) {
  return {
    userId: profile.userId,
    email: profile.email,
    displayName: profile.displayName,
    bio: profile.bio,
    locale: profile.locale,
    timeZone: profile.timeZone,
    updatedAt: profile.updatedAt.toISOString(),
  };
}

/** What another service sees (`/profiles/:userId`): enough to address the user, no bio. */
export function serviceProfileView(profile: Profile) {
  return {
    userId: profile.userId,
    displayName: profile.displayName,
    email: profile.email,
    locale: profile.locale,
    timeZone: profile.timeZone,
  };
}
