import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { revokeSession, sessionOfRefreshToken } from '../sessions/refresh-tokens';
import { authenticateThrottledClient, basicClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { tokenParameters, tokenRequestBody } from './token-request';

/**
 * `POST /revoke` (RFC 7009): a client gives up a refresh token, which ends its session at once,
 * broadcast like a logout. Refresh tokens belong to the first-party public client, which
 * identifies itself with `client_id` (RFC 6749 §2.3: public clients have no secret); a service
 * authenticates with HTTP Basic as at the token endpoint, and has no refresh tokens to revoke.
 * An unknown, spent or already revoked token answers 200 (§2.2): the client's goal is reached.
 * Access tokens are not revocable here; they expire within minutes (ACCESS_TOKEN_TTL).
 */
export function revocationEndpoint(deps: Dependencies): Router {
  const router = Router();

  router.post('/revoke', ...tokenRequestBody(), async (req, res) => {
    const param = tokenParameters(req.body);
    const credentials = basicClientCredentials(req);
    if (param('client_secret') !== undefined) {
      throw new OAuthError('invalid_request', 'Send client credentials with HTTP Basic');
    }
    const isService = credentials !== undefined;
    if (isService) {
      await authenticateThrottledClient(deps, credentials);
    } else if (param('client_id') !== deps.config.PUBLIC_CLIENT_ID) {
      throw new OAuthError('invalid_client', 'Client authentication failed');
    }
    const token = param('token');
    if (token === undefined)
      throw new OAuthError('invalid_request', 'The token parameter is required');

    const sessionId = await sessionOfRefreshToken(deps.db, token);
    if (sessionId !== undefined) {
      // §2.1: the token must have been issued to the client asking; services get none.
      if (isService) {
        throw new OAuthError('unauthorized_client', 'This token was not issued to this client');
      }
      const ended = await deps.db.$transaction((tx) =>
        revokeSession(tx, sessionId, 'logout', deps.clock()),
      );
      // Answer once session.revoked is on its way to every replica (see EventRelay.flush).
      if (ended) await deps.events.flush();
    }
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).status(200).end();
  });

  return router;
}
