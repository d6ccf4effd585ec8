export { looksLikeStackTrace, RFC_8414_MEMBERS } from './answer-checks';
export {
  ApiClient,
  type Credentials,
  type RegisteredUser,
  registerAndLogIn,
  type TestUser,
  type TokenSet,
} from './api-client';
export { jwtClaims, jwtHeader } from './jwt';
export {
  bearerError,
  type RawJsonOptions,
  type RawRequest,
  type RawResponse,
  sendRaw,
  sendRawJson,
} from './raw-request';
export { replicasSettle } from './replicas-settle';
export {
  type ApiResponse,
  DEFAULT_TIMEOUT_MS,
  probe,
  request,
  type RequestOptions,
} from './request';
