import { notFound, validate } from '@dja/http';
import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { requireServiceScope } from './callers';
import { userIdParam } from './profile-input';
import { findProfile } from './profile-store';
import { serviceProfileView } from './profile-view';

/** Any user's profile, for other services (notifications-service addresses its e-mails with it). */
export function serviceProfileRoutes(deps: Dependencies): Router {
  const router = Router();

  router.get(
    '/profiles/:userId',
    deps.requireAuth,
    requireServiceScope('profile:read'),
    async (req, res) => {
      const { userId } = validate(userIdParam, req.params, 'userId');
      const profile = await findProfile(deps.db, userId);
      if (!profile) throw notFound('No profile for this user.');
      res.json(serviceProfileView(profile));
    },
  );

  return router;
}
