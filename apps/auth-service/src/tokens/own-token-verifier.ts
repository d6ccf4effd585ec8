import { type AccessTokenVerifier, createAccessTokenVerifier } from '@dja/auth';
import type { Clock } from '../clock';
import type { KeyStore } from '../keys/key-store';

export interface OwnTokenVerifierOptions {
  issuer: string;
  /** This service's audience name, required in tokens sent to /logout, /admin, /internal. */
  audience: string;
  accessTokenTtlSeconds: number;
  clockToleranceSeconds: number;
}

/**
 * The same verifier every resource service uses (@dja/auth), fed from this replica's key store
 * instead of an HTTP call to itself. An unknown kid makes the verifier ask for the JWKS again
 * (cooldown-limited), which re-reads the keys from the database: another replica may have
 * created one a moment ago.
 */
export function createOwnTokenVerifier(
  keys: KeyStore,
  clock: Clock,
  options: OwnTokenVerifierOptions,
): AccessTokenVerifier {
  const inProcessJwks: typeof fetch = async () => {
    await keys.reload();
    return Response.json(keys.jwks());
  };
  return createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    jwksUri: `${options.issuer}/.well-known/jwks.json`,
    clockToleranceSeconds: options.clockToleranceSeconds,
    maxLifetimeSeconds: options.accessTokenTtlSeconds,
    fetch: inProcessJwks,
    // Reading the local copy is cheap; keep the verifier's view as fresh as the key store.
    jwks: { cooldownMs: 1000, maxAgeMs: 5000 },
    now: () => clock().getTime(),
  });
}
