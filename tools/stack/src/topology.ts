/**
 * The system's shape, in one place: which services run, how many replicas of each by default,
 * and which gateway paths reach them. The local stack, the nginx template and a test that
 * compares docker-compose.yml with this file all read it.
 */
export const SERVICES = {
  auth: { app: 'auth-service', replicas: 2, upstream: 'AUTH_SERVICE' },
  orders: { app: 'orders-service', replicas: 3, upstream: 'ORDERS_SERVICE' },
  profile: { app: 'profile-service', replicas: 2, upstream: 'PROFILE_SERVICE' },
  notifications: { app: 'notifications-service', replicas: 2, upstream: 'NOTIFICATIONS_SERVICE' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Gateway path prefixes and the service each one reaches. */
export const ROUTES: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/auth/', service: 'auth' },
  { prefix: '/orders', service: 'orders' },
  { prefix: '/profile', service: 'profile' },
  { prefix: '/profiles', service: 'profile' },
  { prefix: '/notifications', service: 'notifications' },
];

/**
 * Exact public paths the gateway hands to a service under another path. RFC 8414 §3.1: the
 * metadata of issuer `…/auth` lives at the well-known URI derived from it, the well-known segment
 * before the issuer's path; auth-service serves it as `/.well-known/oauth-authorization-server`.
 */
export const EXACT_ROUTES: ReadonlyArray<{ path: string; service: ServiceName; to: string }> = [
  {
    path: '/.well-known/oauth-authorization-server/auth',
    service: 'auth',
    to: '/.well-known/oauth-authorization-server',
  },
];

/** The client_credentials clients the resource services use, with what each may ask for. */
export const SERVICE_CLIENTS = {
  orders: { scopes: ['revocations:read'], audience: ['auth'] },
  profile: { scopes: ['revocations:read'], audience: ['auth'] },
  notifications: { scopes: ['revocations:read', 'profile:read'], audience: ['auth', 'profile'] },
} as const;
