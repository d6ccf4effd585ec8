export type { AccessTokenPrincipal } from './access-token-claims';
export {
  createAccessTokenVerifier,
  VERIFIER_DEFAULTS,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifierStats,
} from './verify-access-token';
export { JWKS_DEFAULTS, type JwksStats } from './jwks-cache';
export {
  AuthError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JwksUnavailableError,
  TokenMissingError,
  bearerErrorResponse,
  isAuthError,
  type AuthErrorCode,
  type AuthErrorResponse,
  type InvalidTokenCode,
} from './errors';
export {
  InMemoryRevocationList,
  type InMemoryRevocationListOptions,
  type RevocationList,
  type RevocationSnapshot,
  type RevocationSubject,
} from './revocation-list';
export { extractBearerToken, type BearerTokenOptions } from './bearer-token';
export {
  authErrorHandler,
  authenticate,
  getPrincipal,
  requireAuth,
  requireScope,
  type RequireAuthOptions,
} from './middleware';
