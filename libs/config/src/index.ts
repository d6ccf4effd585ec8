export { ConfigError, loadConfig } from './load-config';
export * as env from './fields';
export { type ServiceConfig, serviceConfig, serviceEnv } from './service-env';
