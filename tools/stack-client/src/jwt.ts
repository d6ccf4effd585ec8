function part(token: string, index: 0 | 1): Record<string, unknown> {
  const segment = token.split('.')[index];
  if (!segment) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** The claims of a JWT, read without verifying it (the services verify). */
export const jwtClaims = (token: string): Record<string, unknown> => part(token, 1);

/** The protected header of a JWT, read without verifying it. */
export const jwtHeader = (token: string): Record<string, unknown> => part(token, 0);
