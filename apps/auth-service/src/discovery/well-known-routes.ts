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

/**
 * The path of the RFC 8414 metadata on this service: `/.well-known/oauth-authorization-server`.
 * Clients fetch it at the URL RFC 8414 §3.1 derives from the issuer, the well-known segment
 * inserted before the issuer's path (`https://host/.well-known/oauth-authorization-server/auth`
 * for issuer `https://host/auth`); the gateway maps that URL here.
 */
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/** `/.well-known/jwks.json` and the RFC 8414 authorization server metadata. */
export function wellKnownRoutes(deps: Dependencies): Router {
  const router = Router();
  const { ISSUER, KEY_ACTIVATION_DELAY, USER_SCOPES, SERVICE_CLIENTS } = deps.config;

  router.get('/.well-known/jwks.json', (_req, res) => {
    res
      .set('Cache-Control', `public, max-age=${jwksMaxAge(KEY_ACTIVATION_DELAY)}`)
      .type('application/jwk-set+json')
      .send(JSON.stringify(deps.keys.jwks()));
  });

  // RFC 8414 §2. No authorization endpoint: first-party clients sign in at /login, so the
  // required list of response types is empty. This is no OpenID Provider (no ID tokens, no
  // userinfo), so there is no openid-configuration document either.
  const metadata = {
    issuer: ISSUER,
    token_endpoint: `${ISSUER}/token`,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    scopes_supported: [...new Set([...USER_SCOPES, ...SERVICE_CLIENTS.flatMap((c) => c.scopes)])],
    response_types_supported: [],
    grant_types_supported: [...SUPPORTED_GRANT_TYPES],
    // `none`: public clients refreshing a session; services use HTTP Basic.
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    revocation_endpoint: `${ISSUER}/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    // Not registered in RFC 8414; tells verifiers which `alg` to pin for access tokens.
    access_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
  };
  router.get(METADATA_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(metadata);
  });

  return router;
}
