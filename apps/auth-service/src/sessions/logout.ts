import { extractBearerToken, TokenMissingError } from '@dja/auth';
import { badRequest, requireContentType, validate } from '@dja/http';
import { inSpan } from '@dja/telemetry';
import { Router } from 'express';
import { z } from 'zod';
import type { Dependencies } from '../dependencies';
import { revokeSession, sessionOfRefreshToken } from './refresh-tokens';

const logoutBody = z.object({ refresh_token: z.string().min(1).max(512).optional() });

/**
 * `POST /logout`: ends the session named by the bearer access token, or else by a refresh token
 * in the body. Answers 204 also when the session had already ended or the refresh token is
 * unknown (as RFC 7009 does for revocation): logging out twice is not an error.
 */
export function logoutRoutes(deps: Dependencies): Router {
  const router = Router();

  router.post('/logout', requireContentType('application/json'), async (req, res) => {
    const { refresh_token: refreshToken } = validate(logoutBody, req.body ?? {});
    const accessToken = extractBearerToken(req);

    let sessionId: string | undefined;
    if (accessToken !== undefined) {
      // Signature, issuer, audience and expiry are checked; revocation is not, so that a
      // repeated logout with the same token is still a 204.
      const principal = await deps.verifier.verify(accessToken);
      if (principal.sessionId === undefined) throw badRequest('Service tokens have no session.');
      sessionId = principal.sessionId;
    } else if (refreshToken !== undefined) {
      sessionId = await sessionOfRefreshToken(deps.db, refreshToken);
    } else {
      throw new TokenMissingError();
    }

    const by = accessToken === undefined ? 'refresh_token' : 'access_token';
    await inSpan('auth.logout', { attributes: { 'auth.logout.by': by } }, async (span) => {
      span.setAttribute('auth.logout.session_found', sessionId !== undefined);
      if (sessionId === undefined) return;
      const now = deps.clock();
      const id = sessionId;
      await deps.db.$transaction((tx) => revokeSession(tx, id, 'logout', now));
      // Answer once session.revoked is on its way to every replica (see EventRelay.flush).
      await deps.events.flush();
    });
    res.status(204).end();
  });

  return router;
}
