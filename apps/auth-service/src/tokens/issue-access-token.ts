import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { epochSeconds } from '../clock';
import type { KeyStore } from '../keys/key-store';
import { SIGNING_ALGORITHM } from '../keys/signing-key-material';

/** RFC 9068 media type of JWT access tokens, in the `typ` header. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Who the token is for and what it allows. Nothing secret: any holder can read a JWT. */
export interface AccessTokenSubject {
  /** The user id, or the client id of a service. */
  sub: string;
  aud: readonly string[];
  scopes: readonly string[];
  /** The login session (user tokens). */
  sid?: string;
  roles?: readonly string[];
  /** The OAuth client the token was issued to (RFC 9068 §2.2). */
  clientId: string;
  /** Verifiers refuse this user's tokens with `iat` at or before this instant (suspension). */
  revokedBefore?: Date;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until `exp`: `expires_in` of the token response. */
  expiresIn: number;
  expiresAt: Date;
}

export class AccessTokenIssuer {
  constructor(
    private readonly keys: KeyStore,
    private readonly options: { issuer: string; ttlSeconds: number },
  ) {}

  /** When a token issued at `now` expires; sessions record it before the token is signed. */
  expiryFor(now: Date): Date {
    return new Date((epochSeconds(now) + this.options.ttlSeconds) * 1000);
  }

  async issue(subject: AccessTokenSubject, now: Date): Promise<IssuedAccessToken> {
    const key = await this.keys.currentSigningKey();
    // `iat` has one-second resolution and verifiers refuse `iat <= revokedBefore`, so a token
    // issued in the same second as a suspension, after it was lifted, would be born revoked:
    // it is dated one second later instead, well within every verifier's clock tolerance.
    const notBefore = subject.revokedBefore ? epochSeconds(subject.revokedBefore) + 1 : 0;
    const issuedAt = Math.max(epochSeconds(now), notBefore);
    const expiresAt = new Date((issuedAt + this.options.ttlSeconds) * 1000);
    const token = await new SignJWT({
      scope: subject.scopes.join(' '),
      ...(subject.sid === undefined ? {} : { sid: subject.sid }),
      ...(subject.roles === undefined ? {} : { roles: [...subject.roles] }),
      client_id: subject.clientId,
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: key.kid })
      .setIssuer(this.options.issuer)
      .setSubject(subject.sub)
      .setAudience([...subject.aud])
      .setIssuedAt(issuedAt)
      .setExpirationTime(epochSeconds(expiresAt))
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, expiresIn: this.options.ttlSeconds, expiresAt };
  }
}
