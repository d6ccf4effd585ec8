import { requireScope } from '@dja/auth';
import { notFound, requireContentType, validate } from '@dja/http';
import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { currentUser } from './callers';
import { profileUpdate } from './profile-input';
import { findProfile, saveProfile } from './profile-store';
import { ownProfileView } from './profile-view';

const NOT_CREATED_YET = 'No profile yet: it is created shortly after registration.';

/**
 * The caller's own profile. There is deliberately no route that takes a user id for users: the
 * profile is always the one of the token's `sub`, so no user can name another's.
 */
export function myProfileRoutes(deps: Dependencies): Router {
  const router = Router();
  const authorized = [deps.requireAuth, requireScope('profile:me')];

  router.get('/profile/me', ...authorized, async (req, res) => {
    const { userId } = currentUser(req);
    const profile = await findProfile(deps.db, userId);
    if (!profile) throw notFound(NOT_CREATED_YET);
    res.json(ownProfileView(profile));
  });

  router.put(
    '/profile/me',
    ...authorized,
    requireContentType('application/json'),
    async (req, res) => {
      const { userId } = currentUser(req);
      const update = validate(profileUpdate, req.body);
      const profile = await saveProfile(deps.db, userId, update, deps.clock());
      if (!profile) throw notFound(NOT_CREATED_YET);
      res.json(ownProfileView(profile));
    },
  );

  return router;
}
