import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { SIGNING_ALGORITHM } from '../keys/signing-key-material';
import { SUPPORTED_GRANT_TYPES } from '../oauth/token-endpoint';

/**
 * Verifiers may cache the JWKS this long. It must not exceed KEY_ACTIVATION_DELAY, so that a
 * new key reaches every cache before it signs: the smaller of the two, at most one minute.
 */
export function jwksMaxAge(activationDelaySeconds: number): number {
  return Math.min(60, activationDelaySeconds);
}

/** `/.well-known/jwks.json` and `/.well-known/openid-configuration` (RFC 8414 metadata). */
export function wellKnownRoutes(deps: Dependencies): Router {
  const router = Router();
  const { ISSUER, KEY_ACTIVATION_DELAY, USER_SCOPES, SERVICE_CLIENTS } = deps.config;

  router.get('/.well-known/jwks.json', (_req, res) => {
    res
      .set('Cache-Control', `public, max-age=${jwksMaxAge(KEY_ACTIVATION_DELAY)}`)
      .type('application/jwk-set+json')
      .send(JSON.stringify(deps.keys.jwks()));
  });

  const metadata = {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    token_endpoint: `${ISSUER}/token`,
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    // No authorization endpoint: first-party clients log in at /login.
    response_types_supported: [],
    // `none`: public clients refreshing a session; services use HTTP Basic.
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    scopes_supported: [...new Set([...USER_SCOPES, ...SERVICE_CLIENTS.flatMap((c) => c.scopes)])],
    // Not registered in RFC 8414; tells verifiers which `alg` to pin for access tokens.
    access_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
  };
  router.get('/.well-known/openid-configuration', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(metadata);
  });

  return router;
}
