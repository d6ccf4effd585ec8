import type { User } from '../generated/prisma/client';
import type { AccessTokenSubject } from './issue-access-token';

export interface UserTokenPolicy {
  audience: readonly string[];
  scopes: readonly string[];
}

/** What a user's access token says about the user. */
export type TokenUser = Pick<User, 'id' | 'email' | 'roles' | 'revokedBefore'>;

/** The claims of a user's access token: who, which session, what for. */
export function userTokenSubject(
  user: TokenUser,
  sessionId: string,
  policy: UserTokenPolicy,
  scopes: readonly string[] = policy.scopes,
): AccessTokenSubject {
  return {
    sub: user.id,
    sid: sessionId,
    aud: policy.audience,
    scopes,
    roles: user.roles,
    email: user.email,
    ...(user.revokedBefore ? { revokedBefore: user.revokedBefore } : {}),
  };
}
