import type { Response } from 'express';
import type { AccessTokenSubject, IssuedAccessToken } from './issue-access-token';

/** RFC 6749 §5.1: no cache may keep a response that holds tokens. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** A successful token response (RFC 6749 §5.1), from /login and /token. */
export function sendTokens(
  res: Response,
  access: IssuedAccessToken,
  subject: Pick<AccessTokenSubject, 'scopes'>,
  refreshToken?: string,
): void {
  res
    .status(200)
    .set(NO_STORE)
    .json({
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope: subject.scopes.join(' '),
    });
}
