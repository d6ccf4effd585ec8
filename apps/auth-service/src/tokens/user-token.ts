import type { User } from '../generated/prisma/client';
import type { AccessTokenSubject } from './issue-access-token';

export interface UserTokenPolicy {
  /** `client_id` of user tokens (RFC 9068 §2.2): the first-party app users sign in with. */
  clientId: string;
  audience: readonly string[];
  scopes: readonly string[];
}

/** What a user's access token says about the user: no personal data (docs/adr/0010). */
export type TokenUser = Pick<User, 'id' | 'roles' | 'revokedBefore'>;

/** The claims of a user's access token: who, through which client and session, what for. */
export function userTokenSubject(
  user: TokenUser,
  sessionId: string,
  policy: UserTokenPolicy,
  scopes: readonly string[] = policy.scopes,
): AccessTokenSubject {
  return {
    sub: user.id,
    sid: sessionId,
    clientId: policy.clientId,
    aud: policy.audience,
    scopes,
    roles: user.roles,
    ...(user.revokedBefore ? { revokedBefore: user.revokedBefore } : {}),
  };
}
