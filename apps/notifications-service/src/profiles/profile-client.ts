import type { ServiceTokenClient } from '@dja/resource-server';
import { z } from 'zod';

/** What a notification needs from a user's profile. */
export interface Profile {
  userId: string;
  /** Absent when the user has not chosen one. */
  displayName: string | undefined;
  email: string;
}

export interface ProfileClient {
  /** Reads a profile from profile-service; throws ProfileLookupError when it cannot. */
  getProfile(userId: string): Promise<Profile>;
}

export type ProfileLookupErrorCode =
  /** 404: the profile does not exist (yet: profile-service creates it from `user.registered`). */
  | 'ERR_PROFILE_NOT_FOUND'
  /** Unreachable, timed out, 5xx, or a token could not be obtained. */
  | 'ERR_PROFILE_UNAVAILABLE'
  /** Our token was refused even after a fresh one (401), or lacks the scope (403). */
  | 'ERR_PROFILE_FORBIDDEN'
  /** A 2xx whose body is not a profile, or any other unexpected status. */
  | 'ERR_PROFILE_UNEXPECTED';

/**
 * Every failure of a lookup. An event handler lets it propagate, so libs/messaging retries the
 * event and dead-letters it after the last attempt.
 */
export class ProfileLookupError extends Error {
  override readonly name = 'ProfileLookupError';

  constructor(
    readonly code: ProfileLookupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ProfileClientOptions {
  /** profile-service's base URL, e.g. http://profile:3000. */
  baseUrl: string;
  /** This service's client_credentials tokens (scope `profile:read`). */
  tokens: ServiceTokenClient;
  timeoutMs: number;
  fetch?: typeof fetch;
}

// Only the fields used; profile-service may return more.
const profileBody = z.object({
  displayName: z.string().trim().min(1).nullish(),
  email: z.email(),
});

/**
 * The service-to-service JWT path: `GET /profiles/:userId` with a cached client_credentials token.
 * A 401 means the cached token is no longer accepted (e.g. signing key rotated, token revoked),
 * so it is dropped and the call is retried once with a fresh one.
 */
export function createProfileClient(options: ProfileClientOptions): ProfileClient {
  const { baseUrl, tokens, timeoutMs, fetch: doFetch = fetch } = options;

  async function request(userId: string): Promise<Response> {
    let token: string;
    try {
      token = await tokens.getToken();
    } catch (error) {
      throw new ProfileLookupError('ERR_PROFILE_UNAVAILABLE', 'no service token', { cause: error });
    }
    try {
      return await doFetch(`${baseUrl}/profiles/${encodeURIComponent(userId)}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
      throw new ProfileLookupError('ERR_PROFILE_UNAVAILABLE', `profile-service ${reason}`, {
        cause: error,
      });
    }
  }

  return {
    async getProfile(userId) {
      let response = await request(userId);
      if (response.status === 401) {
        await response.body?.cancel();
        tokens.invalidate();
        response = await request(userId);
      }
      if (response.ok) {
        const body = profileBody.safeParse(await response.json().catch(() => undefined));
        if (!body.success) {
          throw new ProfileLookupError('ERR_PROFILE_UNEXPECTED', 'profile-service sent no profile');
        }
        return { userId, displayName: body.data.displayName ?? undefined, email: body.data.email };
      }
      await response.body?.cancel();
      const { status } = response;
      if (status === 404) {
        throw new ProfileLookupError('ERR_PROFILE_NOT_FOUND', `no profile for user ${userId}`);
      }
      if (status === 401 || status === 403) {
        throw new ProfileLookupError('ERR_PROFILE_FORBIDDEN', `profile-service answered ${status}`);
      }
      if (status >= 500 || status === 429) {
        throw new ProfileLookupError(
          'ERR_PROFILE_UNAVAILABLE',
          `profile-service answered ${status}`,
        );
      }
      throw new ProfileLookupError('ERR_PROFILE_UNEXPECTED', `profile-service answered ${status}`);
    },
  };
}
