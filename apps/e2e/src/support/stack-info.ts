/** What a test file needs to know about a running stack; plain data, so it fits in an env var. */
export type ServiceName = 'auth' | 'orders' | 'profile' | 'notifications';

export interface ReplicaInfo {
  service: ServiceName;
  /** e.g. `orders-service-2`, as in `X-Served-By`. */
  name: string;
  /** The replica itself, bypassing the gateway. */
  url: string;
  /** Its operations listener: `/healthz`, `/readyz`, `/metrics`. */
  operationsUrl: string;
}

export interface StackInfo {
  gatewayUrl: string;
  internalUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: ReplicaInfo[];
  /** Each replica's output, as `<name>.log`. */
  logDir: string;
  /** The OTLP receiver every replica exports its spans to (see global-setup.ts). */
  otlpReceiverUrl: string | undefined;
}

/** The shared stack also lends its signing key and a way to stop and start its parts. */
export interface SharedStackInfo extends StackInfo {
  /** The PEM auth-service imported through SIGNING_KEY_FILE: what a leaked key gives away. */
  signingKeyFile: string;
  /** Where `StackControl` reaches the global setup (support/stack-control.ts). */
  controlUrl: string;
}

/** The env var through which the global setup hands the shared stack to test files. */
export const SHARED_STACK_ENV = 'DJA_E2E_STACK';

/** The shape of tools/stack's `Stack` that this file reads (kept structural on purpose). */
interface RunningStack {
  gatewayUrl: string;
  internalUrl: string;
  issuer: string;
  admin: { email: string; password: string };
  replicas: ReadonlyArray<{
    name: string;
    url: string;
    operationsUrl: string;
    service: ServiceName;
  }>;
  dir: string;
}

export function describeStack(stack: RunningStack, otlpReceiverUrl?: string): StackInfo {
  return {
    gatewayUrl: stack.gatewayUrl,
    internalUrl: stack.internalUrl,
    issuer: stack.issuer,
    admin: stack.admin,
    replicas: stack.replicas.map(({ service, name, url, operationsUrl }) => ({
      service,
      name,
      url,
      operationsUrl,
    })),
    logDir: `${stack.dir}/logs`,
    otlpReceiverUrl,
  };
}

/** The stack the global setup started for this run. */
export function sharedStack(): SharedStackInfo {
  const json = process.env[SHARED_STACK_ENV];
  if (!json)
    throw new Error(`${SHARED_STACK_ENV} is not set: run these tests with apps/e2e/jest.config.js`);
  return JSON.parse(json) as SharedStackInfo;
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
