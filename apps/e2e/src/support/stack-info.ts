/** What a test file needs to know about a running stack; plain data, so it fits in an env var. */
export type ServiceName = 'auth' | 'orders' | 'profile' | 'notifications';

export interface ReplicaInfo {
  service: ServiceName;
  /** e.g. `orders-service-2`, as in `X-Served-By`. */
  name: string;
  /** The replica itself, bypassing the gateway. */
  url: string;
}

export interface StackInfo {
  gatewayUrl: string;
  internalUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: ReplicaInfo[];
}

/** The env var through which the global setup hands the shared stack to test files. */
export const SHARED_STACK_ENV = 'DJA_E2E_STACK';

/** The shape of tools/stack's `Stack` that this file reads (kept structural on purpose). */
interface RunningStack {
  gatewayUrl: string;
  internalUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: ReadonlyArray<{ name: string; url: string; service: ServiceName }>;
}

export function describeStack(stack: RunningStack): StackInfo {
  return {
    gatewayUrl: stack.gatewayUrl,
    internalUrl: stack.internalUrl,
    issuer: stack.issuer,
    admin: stack.admin,
    replicas: stack.replicas.map(({ service, name, url }) => ({ service, name, url })),
  };
}

/** The stack the global setup started for this run. */
export function sharedStack(): StackInfo {
  const json = process.env[SHARED_STACK_ENV];
  if (!json)
    throw new Error(`${SHARED_STACK_ENV} is not set: run these tests with apps/e2e/jest.config.js`);
  return JSON.parse(json) as StackInfo;
}

export function replicasOf(stack: StackInfo, service: ServiceName): ReplicaInfo[] {
  return stack.replicas.filter((replica) => replica.service === service);
}

/** The services that verify user tokens, and a request each answers for the token's owner. */
export const RESOURCE_PROBES: ReadonlyArray<{ service: ServiceName; path: string }> = [
  { service: 'orders', path: '/orders' },
  { service: 'profile', path: '/profile/me' },
  { service: 'notifications', path: '/notifications' },
];
