import { getPrincipal, requireAuth } from '@dja/auth';
import { forbidden, validate } from '@dja/http';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { Dependencies } from '../dependencies';
import { rotateSigningKeys } from '../keys/rotate-signing-keys';
import { withdrawSigningKey } from '../keys/withdraw-signing-key';
import { suspendUser, unsuspendUser } from './suspend-user';

const userPath = z.object({ id: z.uuid() });
/** kids are RFC 7638 thumbprints: base64url. */
const keyPath = z.object({ kid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });

const requireAdmin: RequestHandler = (req, _res, next) => {
  const principal = getPrincipal(req);
  // Service tokens carry no roles; a user's roles are checked against the database's view of
  // revocation by requireAuth, so a suspended admin's token is already refused.
  next(principal.roles.includes('admin') ? undefined : forbidden('This needs the admin role.'));
};

const publicUser = (user: { id: string; email: string; suspendedAt: Date | null }) => ({
  id: user.id,
  email: user.email,
  suspended: user.suspendedAt !== null,
  suspendedAt: user.suspendedAt?.toISOString() ?? null,
});

/** `/admin/*`: user suspension and signing keys, for access tokens with the `admin` role. */
export function adminRoutes(deps: Dependencies): Router {
  const router = Router();
  router.use('/admin', requireAuth(deps.verifier, { revocations: deps.revocations }), requireAdmin);

  router.post('/admin/users/:id/suspend', async (req, res) => {
    const { id } = validate(userPath, req.params, 'path');
    const user = await suspendUser(
      deps.db,
      { userId: id, actorId: getPrincipal(req).subject },
      deps.clock(),
      {
        accessTokenTtlSeconds: deps.config.ACCESS_TOKEN_TTL,
        clockToleranceSeconds: deps.config.CLOCK_TOLERANCE,
      },
    );
    await deps.events.flush();
    req.log?.info({ userId: id, by: getPrincipal(req).subject }, 'user suspended');
    res.json(publicUser(user));
  });

  router.post('/admin/users/:id/unsuspend', async (req, res) => {
    const { id } = validate(userPath, req.params, 'path');
    const user = await unsuspendUser(deps.db, id, deps.clock());
    await deps.events.flush();
    req.log?.info({ userId: id, by: getPrincipal(req).subject }, 'user unsuspended');
    res.json(publicUser(user));
  });

  router.get('/admin/keys', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ keys: describeKeys(deps) });
  });

  router.post('/admin/keys/rotate', async (req, res) => {
    const result = await rotateSigningKeys(deps.rotation, { force: true });
    await deps.keys.reload();
    req.log?.info({ kid: result.kid, created: result.created }, 'signing key rotation requested');
    res.status(result.created ? 201 : 200).json({
      kid: result.kid,
      activateAt: result.activateAt.toISOString(),
      keys: describeKeys(deps),
    });
  });

  /**
   * For a leaked key: refused by every replica within milliseconds, and no one logs in again
   * (refresh tokens are not signed, so a refresh returns a token signed with the active key).
   */
  router.post('/admin/keys/:kid/withdraw', async (req, res) => {
    const { kid } = validate(keyPath, req.params, 'path');
    const withdrawal = await withdrawSigningKey(deps.rotation, {
      kid,
      actorId: getPrincipal(req).subject,
    });
    deps.verifier.withdrawKey(kid, withdrawal.activeKid);
    await deps.keys.forget(kid);
    await deps.events.flush();
    deps.authMetrics.signingKeysWithdrawn.inc();
    const audit = {
      kid,
      withdrawnAt: withdrawal.withdrawnAt.toISOString(),
      withdrawnBy: withdrawal.withdrawnBy,
      activeKid: withdrawal.activeKid,
      activation: withdrawal.activation,
    };
    req.log?.warn(audit, 'signing key withdrawn');
    res.set('Cache-Control', 'no-store').json({ ...audit, keys: describeKeys(deps) });
  });

  return router;
}

function describeKeys(deps: Dependencies) {
  return deps.keys.describe().map((key) => ({
    kid: key.kid,
    state: key.state,
    source: key.source,
    createdAt: key.createdAt.toISOString(),
    activateAt: key.activateAt.toISOString(),
    retireAt: key.retireAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  }));
}
