import { InMemoryRevocationList } from '../revocation-list';
import { type AccessTokenVerifier, createAccessTokenVerifier } from '../verify-access-token';
import type { TestIssuer } from './test-issuer';

/**
 * What a resource service builds from its configuration, built for a test issuer: a verifier
 * with the issuer's keys already loaded, and an empty revocation list.
 */
export async function createTestVerifier(
  issuer: Pick<TestIssuer, 'issuer' | 'jwksUri'>,
  { audience, maxLifetimeSeconds = 300 }: { audience: string; maxLifetimeSeconds?: number },
): Promise<{ verifier: AccessTokenVerifier; revocations: InMemoryRevocationList }> {
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience,
    jwksUri: issuer.jwksUri,
    maxLifetimeSeconds,
  });
  await verifier.ready();
  const revocations = new InMemoryRevocationList({ maxTokenLifetimeSeconds: maxLifetimeSeconds });
  return { verifier, revocations };
}
