export { type ResourceServerConfig, resourceServerConfig, resourceServerEnv } from './config';
export {
  type RevocationFeed,
  type RevocationFeedOptions,
  revocationSnapshotLoader,
  startRevocationFeed,
} from './revocation-feed';
export { type ResourceServerRuntime, startResourceServerRuntime } from './runtime';
export {
  createServiceTokenClient,
  type ServiceTokenClient,
  type ServiceTokenClientOptions,
  ServiceTokenError,
} from './service-token-client';
