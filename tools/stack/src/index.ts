export {
  localServiceDiscovery,
  NGINX_NOT_FOUND_MESSAGE,
  renderGatewayConfig,
  startGateway,
} from './gateway';
export { NODE_FLAGS, Replica, type ReplicaSpec, runFlags } from './replica';
export {
  PASSED_THROUGH,
  type Stack,
  type StackOptions,
  startStack,
  telemetryEnv,
} from './start-stack';
export {
  EXACT_ROUTES,
  ROUTES,
  SERVICE_CLIENTS,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
} from './topology';
