import { createAccessTokenVerifier, isAuthError } from '@dja/auth';
import type { TestIssuer } from '@dja/auth/testing';
import { listenOnLoopback } from './http-server';

export interface StoredProfile {
  displayName?: string;
  email: string;
}

export interface ProfileServiceDouble {
  /** As PROFILE_URL. */
  url: string;
  /** Profiles by user id; tests add and remove them. */
  profiles: Map<string, StoredProfile>;
  /** While false, every request gets 503, as a profile-service in trouble would answer. */
  setAvailable(available: boolean): void;
  /** Refuses (401) every token seen so far, as after a key rotation or revocation. */
  refuseTokensSeenSoFar(): void;
  /** Requests to /profiles, whatever their outcome. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Plays profile-service's `GET /profiles/:userId`: the bearer token is really verified, with
 * @dja/auth against the test issuer's JWKS, for audience `profile` and scope `profile:read`.
 */
export async function startProfileService(issuer: TestIssuer): Promise<ProfileServiceDouble> {
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: 'profile',
    jwksUri: issuer.jwksUri,
  });
  await verifier.ready();
  const profiles = new Map<string, StoredProfile>();
  const refused = new Set<string>();
  const seen = new Set<string>();
  let available = true;
  let requests = 0;

  const server = await listenOnLoopback(async (req, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    const match = /^\/profiles\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) return json(404, {});
    requests += 1;
    if (!available) return json(503, { title: 'Service unavailable' });

    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return json(401, {}, { 'www-authenticate': 'Bearer' });
    try {
      const principal = await verifier.verify(token);
      seen.add(principal.tokenId);
      if (refused.has(principal.tokenId)) {
        return json(401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      if (!principal.scopes.includes('profile:read')) {
        return json(403, {}, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
      }
    } catch (error) {
      if (isAuthError(error)) {
        return json(401, {}, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      return json(500, {});
    }
    const userId = decodeURIComponent(match[1]!);
    const profile = profiles.get(userId);
    if (!profile) return json(404, { title: 'Not found' });
    json(200, { userId, ...profile });
  });

  return {
    url: server.url,
    profiles,
    setAvailable(next) {
      available = next;
    },
    refuseTokensSeenSoFar() {
      for (const id of seen) refused.add(id);
    },
    get requests() {
      return requests;
    },
    close: server.close,
  };
}
