import { inSpan } from '@dja/telemetry';
import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { rotateRefreshToken } from '../sessions/refresh-tokens';
import { sendTokens } from '../tokens/token-response';
import { userTokenSubject } from '../tokens/user-token';
import { authenticateThrottledClient, basicClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { grantedScopes, tokenParameters, tokenRequestBody } from './token-request';

export const SUPPORTED_GRANT_TYPES = ['refresh_token', 'client_credentials'] as const;

/**
 * `POST /token` (RFC 6749 §3.2): refresh_token for users' sessions, client_credentials for
 * services. Passwords are exchanged at `POST /login` instead of the password grant, which
 * RFC 9700 §2.4 says must not be used.
 */
export function tokenEndpoint(deps: Dependencies): Router {
  const router = Router();

  router.post('/token', ...tokenRequestBody(), async (req, res) => {
    const param = tokenParameters(req.body);
    const grantType = param('grant_type');
    const credentials = basicClientCredentials(req);
    const now = deps.clock();

    if (grantType === undefined) {
      throw new OAuthError('invalid_request', 'The grant_type parameter is required');
    }
    if (param('client_secret') !== undefined) {
      throw new OAuthError('invalid_request', 'Send client credentials with HTTP Basic');
    }

    if (grantType === 'client_credentials') {
      const client = await authenticateThrottledClient(deps, credentials);
      const scopes = grantedScopes(param('scope'), client.scopes);
      const subject = { sub: client.id, clientId: client.id, aud: client.audience, scopes };
      const access = await deps.tokens.issue(subject, now);
      deps.authMetrics.tokensIssued.inc({ grant_type: 'client_credentials' });
      return sendTokens(res, access, subject);
    }

    if (grantType === 'refresh_token') {
      // Refresh tokens belong to users' sessions; a service authenticating here is misusing it.
      if (credentials) {
        await authenticateThrottledClient(deps, credentials);
        throw new OAuthError(
          'unauthorized_client',
          'This client may not use the refresh_token grant',
        );
      }
      const presented = param('refresh_token');
      if (presented === undefined) {
        throw new OAuthError('invalid_request', 'The refresh_token parameter is required');
      }
      const scopes = grantedScopes(param('scope'), deps.userTokenPolicy.scopes);
      // `auth.refresh.outcome`: rotated, reused (the session was revoked) or rejected.
      const outcome = await inSpan('auth.refresh_token_rotation', {}, async (span) => {
        const result = await rotateRefreshToken(
          deps.db,
          presented,
          { now, accessTokenExpiresAt: deps.tokens.expiryFor(now) },
          deps.refreshTokenPolicy,
        );
        span.setAttribute('auth.refresh.outcome', result.kind);
        return result;
      });
      if (outcome.kind === 'reused') {
        deps.authMetrics.refreshTokenReuse.inc();
        req.log?.warn({ sid: outcome.sessionId }, 'refresh token reuse: session revoked');
        await deps.events.flush();
      }
      if (outcome.kind !== 'rotated') {
        throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
      }
      const subject = userTokenSubject(
        outcome.user,
        outcome.sessionId,
        deps.userTokenPolicy,
        scopes,
      );
      const access = await deps.tokens.issue(subject, now);
      deps.authMetrics.tokensIssued.inc({ grant_type: 'refresh_token' });
      return sendTokens(res, access, subject, outcome.refreshToken);
    }

    throw new OAuthError(
      'unsupported_grant_type',
      'Supported grant types: refresh_token, client_credentials',
    );
  });

  return router;
}
