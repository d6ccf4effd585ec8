// The end-to-end journey of the compose test and the cluster test, through the public entry only
// (the compose gateway, the Ingress; replicas are not published): a user's whole story, and every
// replica of every service seen answering it.
import { randomUUID } from 'node:crypto';
import { waitFor } from '@dja/test-infra';
import { type ApiClient, type ApiResponse, registerAndLogIn, request } from '@dja/stack-client';
import { isInvalidTokenRefusal } from './token-checks';

/**
 * Replica names by service, as each names itself in `X-Served-By`: under compose as `docker
 * compose ps` shows them (`orders-service-2`), on a cluster the pod's name.
 */
export type ReplicaNames = Record<string, string[]>;

export interface JourneyTarget {
  api: ApiClient;
  /** The RabbitMQ management UI's published address, where one is published (not on a cluster). */
  rabbitmqUiUrl?: string;
  /** The replicas running now, which every step must hear from. */
  replicas: ReplicaNames;
}

/** What one service answers for a user's token, through the gateway. */
const PROBES: Record<string, (api: ApiClient, token: string) => Promise<ApiResponse>> = {
  'auth-service': (api, token) => api.call('/auth/admin/keys', { token }),
  'orders-service': (api, token) => api.call('/orders', { token }),
  'profile-service': (api, token) => api.call('/profile/me', { token }),
  'notifications-service': (api, token) => api.call('/notifications', { token }),
};
const RESOURCE_SERVICES = ['orders-service', 'profile-service', 'notifications-service'];

/**
 * Calls through the gateway until every replica of the service has answered (the gateway picks
 * one per request), insisting that each answer passes `check`. Returns who answered.
 */
export async function hearFromEveryReplica(
  replicas: readonly string[],
  call: () => Promise<ApiResponse>,
  check: (response: ApiResponse) => boolean,
  what: string,
): Promise<Set<string>> {
  const heard = new Set<string>();
  const maxCalls = 40 * replicas.length;
  for (let i = 0; i < maxCalls && heard.size < replicas.length; i++) {
    const response = await call();
    if (!check(response)) {
      throw new Error(
        `${what}: ${response.servedBy ?? 'the gateway'} answered ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    if (response.servedBy) heard.add(response.servedBy);
  }
  const unexpected = [...heard].filter((name) => !replicas.includes(name));
  const missing = replicas.filter((name) => !heard.has(name));
  if (unexpected.length > 0 || missing.length > 0) {
    throw new Error(
      `${what}: expected answers from ${replicas.join(', ')}; never heard ${missing.join(', ') || 'none'}, heard unknown ${unexpected.join(', ') || 'none'}`,
    );
  }
  return heard;
}

/** The same token with one base64url character in the middle of its payload changed. */
export function tamperWithPayload(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const middle = Math.floor(payload.length / 2);
  const changed = payload[middle] === 'A' ? 'B' : 'A';
  return [header, payload.slice(0, middle) + changed + payload.slice(middle + 1), signature].join(
    '.',
  );
}

/** Waits for `user.registered` to reach profile-service (its profile answers 404 until then). */
async function waitForProfile(api: ApiClient, token: string): Promise<void> {
  await waitFor(async () => (await api.call('/profile/me', { token })).status === 200, {
    timeoutMs: 60_000,
    intervalMs: 250,
    description: 'the new user’s profile to be created from user.registered',
  });
}

/** Places an order and waits for the notification it produces; returns the order id. */
export async function orderAndItsNotification(api: ApiClient, token: string): Promise<string> {
  const created = await api.call<{ id: string }>('/orders', {
    token,
    json: { items: [{ sku: `COMPOSE-${randomUUID().slice(0, 8)}`, quantity: 1 }] },
  });
  if (created.status !== 201) throw new Error(`POST /orders answered ${created.status}`);
  await waitForNotifications(api, token, [created.body.id]);
  return created.body.id;
}

/** Waits (bounded) until the user has a notification for each of the orders. */
export async function waitForNotifications(
  api: ApiClient,
  token: string,
  orderIds: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  let missing = [...orderIds];
  await waitFor(
    async () => {
      const list = await api.call<{ items?: Array<{ kind: string; orderId: string | null }> }>(
        '/notifications?limit=100',
        { token },
      );
      const notified = new Set(
        (list.body.items ?? [])
          .filter((item) => item.kind === 'order_confirmation')
          .map((item) => item.orderId),
      );
      missing = orderIds.filter((id) => !notified.has(id));
      return missing.length === 0;
    },
    { timeoutMs, intervalMs: 500, description: 'a notification for every order' },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; no notification for ${missing.length} order(s)`);
  });
}

/** Every replica of every resource service refuses the token (a revocation may be on its way). */
async function refusedByEveryReplica(target: JourneyTarget, token: string, what: string) {
  for (const service of RESOURCE_SERVICES) {
    await waitFor(
      () =>
        hearFromEveryReplica(
          target.replicas[service] ?? [],
          () => PROBES[service]!(target.api, token),
          isInvalidTokenRefusal,
          `${what} at ${service}`,
        ),
      { timeoutMs: 30_000, intervalMs: 500, description: `${what} at every ${service} replica` },
    );
  }
}

/**
 * The journey: register and log in; every replica of every service answers; a token with one
 * changed character is refused by every replica; an order produces its notification; refresh
 * rotates and a spent refresh token is refused; after logout every replica refuses the token;
 * the console is served at `/` and the RabbitMQ UI answers (where published). Throws at the first step that fails.
 */
export async function walkJourney(target: JourneyTarget): Promise<void> {
  const { api, replicas } = target;
  const user = await registerAndLogIn(api, 'Compose Journey');
  const token = user.tokens.access_token;
  await waitForProfile(api, token);

  await hearFromEveryReplica(
    replicas['auth-service'] ?? [],
    () => api.call('/auth/.well-known/jwks.json'),
    (response) => response.status === 200,
    'the JWKS',
  );
  for (const service of RESOURCE_SERVICES) {
    await hearFromEveryReplica(
      replicas[service] ?? [],
      () => PROBES[service]!(api, token),
      (response) => response.status === 200,
      `a valid token at ${service}`,
    );
  }

  const tampered = tamperWithPayload(token);
  for (const service of Object.keys(PROBES)) {
    await hearFromEveryReplica(
      replicas[service] ?? [],
      () => PROBES[service]!(api, tampered),
      isInvalidTokenRefusal,
      `a token with one changed character at ${service}`,
    );
  }

  await orderAndItsNotification(api, token);

  const rotated = await api.refresh(user.tokens.refresh_token);
  const next = rotated.body as { refresh_token?: string; access_token?: string };
  if (
    rotated.status !== 200 ||
    !next.refresh_token ||
    next.refresh_token === user.tokens.refresh_token
  ) {
    throw new Error(`refresh: ${rotated.status} ${JSON.stringify(rotated.body)}`);
  }
  const reused = await api.refresh(user.tokens.refresh_token);
  if (reused.status !== 400 || (reused.body as { error?: string }).error !== 'invalid_grant') {
    throw new Error(
      `reusing a spent refresh token: ${reused.status} ${JSON.stringify(reused.body)}`,
    );
  }

  // Reuse revoked the session; a fresh login is logged out to see the logout itself.
  const session = await api.login(user);
  await api.logout(session.access_token);
  await refusedByEveryReplica(target, session.access_token, 'a logged-out token');

  const console = await api.call('/');
  if (console.status !== 200 || !/text\/html/.test(console.headers.get('content-type') ?? '')) {
    throw new Error(`the console at /: ${console.status} ${console.headers.get('content-type')}`);
  }
  if (target.rabbitmqUiUrl === undefined) return;
  const rabbitmq = await request(`${target.rabbitmqUiUrl}/api/overview`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  if (rabbitmq.status !== 200) throw new Error(`the RabbitMQ UI: ${rabbitmq.status}`);
}
