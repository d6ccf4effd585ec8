/** What a test file needs to know about the stack the global setup started; plain data. */
export type ServiceName = 'auth' | 'orders' | 'profile' | 'notifications';
export type ResourceService = Exclude<ServiceName, 'auth'>;

export const RESOURCE_SERVICES: readonly ResourceService[] = ['orders', 'profile', 'notifications'];

export interface ReplicaInfo {
  service: ServiceName;
  /** e.g. `orders-service-2`, as in `X-Served-By`. */
  name: string;
  /** The replica itself, bypassing the gateway. */
  url: string;
  /** The replica's operations listener: /healthz, /readyz, /metrics. */
  operationsUrl: string;
}

export interface SecurityStackInfo {
  gatewayUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: ReplicaInfo[];
  /** PKCS#8 PEM of the key auth-service signs with (imported through SIGNING_KEY_FILE). */
  signingKeyFile: string;
  /** JWKS_COOLDOWN the resource services run with, seconds. */
  jwksCooldownSeconds: number;
  /** The throttles' limits auth-service runs with. */
  throttles: {
    registrationsPerAddress: number;
    clientFailures: number;
    clientFailureWindowSeconds: number;
  };
}

/** The env var through which the global setup hands the stack to test files. */
export const SECURITY_STACK_ENV = 'DJA_SECURITY_STACK';

export function securityStack(): SecurityStackInfo {
  const json = process.env[SECURITY_STACK_ENV];
  if (!json) {
    throw new Error(
      `${SECURITY_STACK_ENV} is not set: run these tests with apps/security-tests/jest.config.js`,
    );
  }
  return JSON.parse(json) as SecurityStackInfo;
}

export function replicasOf(stack: SecurityStackInfo, service: ServiceName): ReplicaInfo[] {
  return stack.replicas.filter((replica) => replica.service === service);
}

/** A request each resource service answers for the token's owner. */
export const PROBE_PATHS: Record<ResourceService, string> = {
  orders: '/orders',
  profile: '/profile/me',
  notifications: '/notifications',
};
