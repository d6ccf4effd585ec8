export { audience, type ResourceServerConfig, resourceServerEnv } from './config';
export {
  type RevocationFeed,
  type RevocationFeedOptions,
  revocationSnapshotLoader,
  startRevocationFeed,
} from './revocation-feed';
export {
  type ResourceServerRuntime,
  type ResourceServiceDependencies,
  resourceServiceDependencies,
  startResourceServerRuntime,
} from './runtime';
export {
  createServiceTokenClient,
  type ServiceTokenClient,
  type ServiceTokenClientOptions,
  ServiceTokenError,
} from './service-token-client';
