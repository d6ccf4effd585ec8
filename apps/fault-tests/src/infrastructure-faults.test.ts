// Faults of what the services stand on: the issuer, the broker, a database, a consumer. One
// stack for this file; every scenario leaves it running as it found it.
import {
  ApiClient,
  looksLikeStackTrace,
  registerAndLogIn,
  request,
  type TestUser,
} from '@dja/stack-client';
import { formatStatuses, Load, sleep, waitFor } from '@dja/test-infra';
import { markPassed, recordScenario } from './support/results';
import {
  databaseOf,
  outboxCounts,
  restartStopped,
  type Stack,
  startFaultStack,
  withDatabase,
} from './support/stack';

let stack: Stack;
let gw: string;
let api: ApiClient;

beforeAll(async () => {
  stack = await startFaultStack({ auth: 2, orders: 2, profile: 1, notifications: 2 });
  gw = stack.gatewayUrl;
  api = new ApiClient(gw);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  if (!stack) return;
  await restartStopped(stack);
}, 120_000);

const PROBES = [
  { service: 'orders', path: '/orders' },
  { service: 'profile', path: '/profile/me' },
  { service: 'notifications', path: '/notifications' },
] as const;

/** Status of `token` at every resource replica, bypassing the gateway: `name status` lines. */
async function statusEverywhere(token: string): Promise<string[]> {
  const lines: string[] = [];
  for (const { service, path } of PROBES) {
    for (const replica of stack.replicasOf(service)) {
      const answer = await request(`${replica.url}${path}`, { token });
      lines.push(`${replica.name} ${answer.status}`);
    }
  }
  return lines;
}

/** JWKS fetches started so far by every orders and profile replica (their /metrics gauge). */
async function jwksFetches(): Promise<number> {
  let total = 0;
  for (const replica of [...stack.replicasOf('orders'), ...stack.replicasOf('profile')]) {
    const text = (await request(`${replica.operationsUrl}/metrics`)).text;
    total += Number(/^\S*auth_jwks_fetches_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('auth-service down for longer than the JWKS freshness', () => {
  it('keeps valid tokens working (stale-if-error), refuses logins cleanly and resumes', async () => {
    // Tokens the verifiers have never seen, so each one is verified with keys that are stale by
    // then, not answered from the verified-token cache.
    const users: TestUser[] = [];
    for (let i = 0; i < 6; i++) users.push(await registerAndLogIn(api));
    const fetchesBefore = await jwksFetches();

    const downAt = performance.now();
    await Promise.all(stack.replicasOf('auth').map((replica) => replica.stop()));
    // Past the 3 s freshness of the JWKS (max-age=3, see startFaultStack), with margin.
    await sleep(4_000);

    const load = new Load({
      connections: 4,
      durationMs: 8_000,
      maxRequests: 4_000,
      next: (i) => ({
        url: `${gw}${i % 2 === 0 ? '/orders' : '/profile/me'}`,
        headers: bearer(users[i % users.length]!.tokens.access_token),
      }),
    }).start();
    const logins = [];
    for (let i = 0; i < 5; i++) {
      logins.push(
        await request(`${gw}/auth/login`, {
          json: { email: users[0]!.email, password: users[0]!.password },
        }),
      );
      await sleep(500);
    }
    const result = await load.done();
    const outageMs = performance.now() - downAt;
    const fetchesDuring = (await jwksFetches()) - fetchesBefore;

    const restartedAt = performance.now();
    await Promise.all(stack.replicasOf('auth').map((replica) => replica.start()));
    await waitFor(
      async () =>
        (
          await request(`${gw}/auth/login`, {
            json: { email: users[0]!.email, password: users[0]!.password },
          })
        ).status === 200,
      { timeoutMs: 30_000, intervalMs: 200, description: 'logins to work again' },
    );
    const resumeMs = performance.now() - restartedAt;
    const fresh = await registerAndLogIn(api);
    const afterReturn = await statusEverywhere(fresh.tokens.access_token);

    const login = logins[0]!;
    recordScenario('1-auth-down', {
      order: 1,
      title: 'auth-service down for longer than the JWKS freshness',
      figures: {
        'auth-service down for': `${(outageMs / 1000).toFixed(1)} s (JWKS max-age 3 s)`,
        'requests with valid tokens (GET /orders, /profile/me)': result.requests,
        answers: formatStatuses(result.byStatus),
        'failed requests': result.failures,
        'JWKS refreshes attempted during the outage (orders + profile)': fetchesDuring,
        'login during the outage': logins.map((answer) => answer.status).join(', '),
        'login error body': `${login.contentType || 'no content type'}; stack trace: ${looksLikeStackTrace(login.text) ? 'yes' : 'no'}`,
        'first successful login after restart': `${Math.round(resumeMs)} ms`,
      },
      notes: [
        'Valid tokens keep working: the verifiers keep stale keys while the JWKS cannot be fetched (JWKS_STALE_IF_ERROR, 24 h by default).',
        'Logins fail at the gateway, which has no replica to send them to: it answers 503 with an RFC 9457 problem body and Retry-After.',
      ],
    });

    expect(formatStatuses(result.byStatus)).toBe(`200×${result.requests}`);
    expect(fetchesDuring).toBeGreaterThan(0);
    for (const answer of logins) {
      expect([502, 503, 504]).toContain(answer.status);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(looksLikeStackTrace(answer.text)).toBe(false);
    }
    expect(afterReturn.filter((line) => !line.endsWith(' 200'))).toEqual([]);
    markPassed('1-auth-down');
  });
});

describe('RabbitMQ stopped while users log out and order', () => {
  it('accepts every request, then delivers every event once and applies the revocations', async () => {
    const leaving: TestUser[] = [];
    const staying: TestUser[] = [];
    for (let i = 0; i < 3; i++) leaving.push(await registerAndLogIn(api));
    for (let i = 0; i < 3; i++) staying.push(await registerAndLogIn(api));
    const everyone = [...leaving, ...staying];

    await stack.rabbitmq.stopBroker();
    const load = new Load({
      connections: 3,
      durationMs: 4_000,
      maxRequests: 150,
      next: (i) => ({
        url: `${gw}/orders`,
        method: 'POST',
        headers: {
          ...bearer(everyone[i % everyone.length]!.tokens.access_token),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ items: [{ sku: `OUTAGE-${i}`, quantity: 1 }] }),
      }),
    }).start();
    await sleep(1_000);
    const logouts = [];
    for (const user of leaving) {
      logouts.push(
        (
          await request(`${gw}/auth/logout`, {
            method: 'POST',
            token: user.tokens.access_token,
            json: {},
          })
        ).status,
      );
    }
    const result = await load.done();

    const userIds = everyone.map((user) => user.id);
    const ordersCreated = await withDatabase(databaseOf(stack, 'orders'), async (client) => {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM orders WHERE user_id = ANY($1)',
        [userIds],
      );
      return rows[0]!.n;
    });
    const pendingWhileDown = {
      auth: await outboxCounts(databaseOf(stack, 'auth')),
      orders: await outboxCounts(databaseOf(stack, 'orders')),
    };

    const backAt = performance.now();
    await stack.rabbitmq.startBroker();
    const published = await waitFor(
      async () => {
        const auth = await outboxCounts(databaseOf(stack, 'auth'));
        const orders = await outboxCounts(databaseOf(stack, 'orders'));
        return auth.published === auth.total && orders.published === orders.total
          ? { auth, orders }
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'every outbox row to be published' },
    );
    const publishedMs = performance.now() - backAt;

    const notificationsOf = () =>
      withDatabase(databaseOf(stack, 'notifications'), async (client) => {
        const { rows } = await client.query<{
          kind: string;
          n: number;
          events: number;
          orders: number;
        }>(
          `SELECT kind, count(*)::int AS n, count(DISTINCT event_id)::int AS events,
                  count(DISTINCT order_id)::int AS orders
             FROM notifications WHERE user_id = ANY($1) GROUP BY kind`,
          [userIds],
        );
        return Object.fromEntries(rows.map((row) => [row.kind, row]));
      });
    await waitFor(
      async () => ((await notificationsOf()).order_confirmation?.n ?? 0) >= ordersCreated,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'a confirmation for every order',
      },
    );
    const notifiedMs = performance.now() - backAt;

    await waitFor(
      async () => {
        for (const user of leaving) {
          const lines = await statusEverywhere(user.tokens.access_token);
          if (lines.some((line) => !line.endsWith(' 401'))) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'the logouts to reach every replica' },
    );
    const revokedMs = performance.now() - backAt;
    // Exactly once: nothing more arrives after a pause.
    await sleep(2_000);
    const notifications = await notificationsOf();
    const stayingStatus = (
      await Promise.all(staying.map((user) => statusEverywhere(user.tokens.access_token)))
    ).flat();

    recordScenario('2-broker-down', {
      order: 2,
      title: 'RabbitMQ stopped while users log out and create orders',
      figures: {
        'POST /orders during the outage': result.requests,
        answers: formatStatuses(result.byStatus),
        'logouts during the outage': logouts.join(', '),
        'outbox rows waiting when the broker returned (auth, orders)': `${pendingWhileDown.auth.total - pendingWhileDown.auth.published}, ${pendingWhileDown.orders.total - pendingWhileDown.orders.published}`,
        'outbox rows published / written (auth)': `${published.auth.published} / ${published.auth.total}`,
        'outbox rows published / written (orders)': `${published.orders.published} / ${published.orders.total}`,
        'orders created / confirmations recorded': `${ordersCreated} / ${notifications.order_confirmation?.n ?? 0}`,
        'lost events': ordersCreated - (notifications.order_confirmation?.orders ?? 0),
        'duplicate notifications':
          (notifications.order_confirmation?.n ?? 0) -
          (notifications.order_confirmation?.events ?? 0) +
          (notifications.welcome?.n ?? 0) -
          (notifications.welcome?.events ?? 0),
        'broker start → every outbox row published': `${Math.round(publishedMs)} ms`,
        'broker start → every confirmation recorded': `${Math.round(notifiedMs)} ms`,
        'broker start → logged-out tokens refused by every replica': `${Math.round(revokedMs)} ms`,
      },
      notes: [
        "Broker start times include RabbitMQ's own boot (a few seconds) and the services' reconnection back-off.",
      ],
    });

    expect(formatStatuses(result.byStatus)).toBe(`201×${result.requests}`);
    expect(logouts).toEqual([204, 204, 204]);
    expect(ordersCreated).toBe(result.requests);
    expect(notifications.order_confirmation).toMatchObject({
      n: ordersCreated,
      events: ordersCreated,
      orders: ordersCreated,
    });
    expect(notifications.welcome).toMatchObject({ n: everyone.length, events: everyone.length });
    expect(stayingStatus.filter((line) => !line.endsWith(' 200'))).toEqual([]);
    markPassed('2-broker-down');
  });
});

describe('the orders database stopped', () => {
  it('answers 503 quickly, leaves other services alone and recovers without a restart', async () => {
    const user = await registerAndLogIn(api);
    const orders = stack.replicasOf('orders');
    const pids = orders.map((replica) => replica.pid);
    const dbName = new URL(databaseOf(stack, 'orders')).pathname.slice(1);
    const setConnections = (allow: boolean) =>
      withDatabase(stack.postgres.url, async (client) => {
        await client.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS ${allow}`);
        if (!allow) {
          await client.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
            [dbName],
          );
        }
      });

    await setConnections(false);
    try {
      const direct = [];
      for (const replica of orders) {
        direct.push({
          replica: replica.name,
          answer: await request(`${replica.url}/orders`, {
            token: user.tokens.access_token,
            timeoutMs: 10_000,
          }),
        });
        direct.push({
          replica: replica.name,
          answer: await request(`${replica.url}/orders`, {
            token: user.tokens.access_token,
            json: { items: [{ sku: 'DB-DOWN', quantity: 1 }] },
            timeoutMs: 10_000,
          }),
        });
      }
      const viaGateway = [];
      for (let i = 0; i < 4; i++)
        viaGateway.push(
          await request(`${gw}/orders`, { token: user.tokens.access_token, timeoutMs: 10_000 }),
        );

      const others = new Load({
        connections: 3,
        durationMs: 3_000,
        maxRequests: 1_500,
        next: (i) => ({
          url: `${gw}${i % 2 === 0 ? '/profile/me' : '/notifications'}`,
          headers: bearer(user.tokens.access_token),
        }),
      });
      const othersResult = await others.done();
      const otherLogin = await request(`${gw}/auth/login`, {
        json: { email: user.email, password: user.password },
      });

      await setConnections(true);
      const reallowedAt = performance.now();
      for (const replica of orders) {
        await waitFor(
          async () =>
            (await request(`${replica.url}/orders`, { token: user.tokens.access_token })).status ===
            200,
          {
            timeoutMs: 30_000,
            intervalMs: 200,
            description: `${replica.name} to serve orders again`,
          },
        );
      }
      const recoveredMs = performance.now() - reallowedAt;
      const gatewayAfter = await waitFor(
        async () => {
          const answer = await request(`${gw}/orders`, { token: user.tokens.access_token });
          return answer.status === 200 ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: 'the gateway to serve orders again' },
      );

      const times = direct.map(({ answer }) => answer.ms);
      recordScenario('3-orders-db-down', {
        order: 3,
        title: 'The orders database stopped (connections refused, sessions terminated)',
        figures: {
          'orders replicas, direct (GET and POST)': direct
            .map(({ replica, answer }) => `${replica} ${answer.status}`)
            .join(', '),
          'time to the error answer, slowest / fastest': `${Math.round(Math.max(...times))} ms / ${Math.round(Math.min(...times))} ms`,
          'content type and title of the error answer': `${direct[0]!.answer.contentType.split(';')[0]}, ${(direct[0]!.answer.body as { title?: string } | null)?.title ?? '?'}`,
          'GET /orders through the gateway': viaGateway
            .map((answer) => `${answer.status} (${answer.contentType.split(';')[0] || 'none'})`)
            .join(', '),
          'profile and notifications meanwhile': `${othersResult.requests} requests, ${formatStatuses(othersResult.byStatus)}`,
          'login meanwhile': otherLogin.status,
          'connections allowed again → every replica serves orders': `${Math.round(recoveredMs)} ms`,
          'replicas restarted': pids.every((pid, i) => pid === orders[i]!.pid) ? 'none' : 'some',
        },
        notes: [
          "One PostgreSQL server holds every service's database, so stopping the server would take every service down. The scenario stops only the orders database: `ALTER DATABASE … ALLOW_CONNECTIONS false` refuses new connections and `pg_terminate_backend` ends the open ones, which is what orders-service sees when its own server goes away.",
        ],
      });

      for (const answer of viaGateway) expect(looksLikeStackTrace(answer.text)).toBe(false);
      expect(formatStatuses(othersResult.byStatus)).toBe(`200×${othersResult.requests}`);
      expect(otherLogin.status).toBe(200);
      expect(gatewayAfter.status).toBe(200);
      expect(orders.map((replica) => replica.pid)).toEqual(pids);
      // Last, so that the checks above still run while it fails: a database that refuses
      // connections is "unavailable, try again", not an internal error.
      for (const { replica, answer } of direct) {
        expect(looksLikeStackTrace(answer.text)).toBe(false);
        expect(`${replica} ${answer.status} ${answer.contentType.split(';')[0]}`).toBe(
          `${replica} 503 application/problem+json`,
        );
      }
      // Every replica answers 503, which nginx counts as a failure (proxy_next_upstream
      // http_503): once all are marked failed it answers 502 itself.
      for (const answer of viaGateway) expect([502, 503]).toContain(answer.status);
    } finally {
      await setConnections(true);
    }
    markPassed('3-orders-db-down');
  });
});

describe('a consumer killed in the middle of a message', () => {
  it('has the message redelivered and handled exactly once', async () => {
    const user = await registerAndLogIn(api);
    const notificationsDb = databaseOf(stack, 'notifications');
    const countFor = (orderId: string) =>
      withDatabase(notificationsDb, async (client) => {
        const { rows } = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM notifications WHERE order_id = $1',
          [orderId],
        );
        return rows[0]!.n;
      });
    // The welcome notification first, so that the only event in flight below is the order's.
    await waitFor(
      () =>
        withDatabase(
          notificationsDb,
          async (client) =>
            (await client.query('SELECT 1 FROM notifications WHERE user_id = $1', [user.id]))
              .rowCount,
        ),
      { timeoutMs: 30_000, intervalMs: 200, description: 'the welcome notification' },
    );

    const [victim, other] = stack.replicasOf('notifications') as [
      Stack['replicas'][number],
      Stack['replicas'][number],
    ];
    await other.stop();
    // Without profile-service the handler cannot finish: it fails, waits and retries, holding
    // the message unacknowledged.
    await Promise.all(stack.replicasOf('profile').map((replica) => replica.stop()));
    const created = await api.createOrder(user.tokens.access_token, 'KILLED-CONSUMER');
    expect(created.status).toBe(201);
    const orderId = created.body.id;
    const outboxEventId = await waitFor(
      () =>
        withDatabase(databaseOf(stack, 'orders'), async (client) => {
          const { rows } = await client.query<{ id: string }>(
            "SELECT id FROM outbox WHERE payload->'data'->>'orderId' = $1 OR payload->>'orderId' = $1",
            [orderId],
          );
          return rows[0]?.id;
        }),
      { timeoutMs: 10_000, intervalMs: 100, description: 'the order.created outbox row' },
    );
    await waitFor(async () => (await victim.logTail(200)).includes(outboxEventId), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: `${victim.name} to be handling ${outboxEventId}`,
    });
    await victim.kill();
    const beforeRecovery = await countFor(orderId);

    const recoveredAt = performance.now();
    await Promise.all(stack.replicasOf('profile').map((replica) => replica.start()));
    await other.start();
    await waitFor(async () => (await countFor(orderId)) > 0, {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: `${other.name} to record the redelivered order.created`,
    });
    const handledMs = performance.now() - recoveredAt;
    await victim.start();
    await sleep(3_000);
    const finalCount = await countFor(orderId);
    const queues = await stack.rabbitmq.rabbitmqctl([
      'list_queues',
      'name',
      'messages',
      'messages_unacknowledged',
    ]);
    const eventsQueue =
      queues.split('\n').find((line) => line.startsWith('notifications-service.events\t')) ?? '';

    recordScenario('7-consumer-killed', {
      order: 7,
      title: 'A consumer killed (SIGKILL) while it held an unacknowledged message',
      figures: {
        'notifications before the kill': beforeRecovery,
        'consumers back → notification recorded by the other replica': `${Math.round(handledMs)} ms`,
        'notifications for the order, 3 s after both replicas are back': finalCount,
        'events queue afterwards (name, ready, unacked)': eventsQueue.replace(/\t/g, ' '),
      },
      notes: [
        'notifications-service has no hook to slow its handler; stopping profile-service makes the handler fail and retry with back-off, which keeps the message unacknowledged at the only running replica. That replica is then killed with SIGKILL.',
      ],
    });

    expect(beforeRecovery).toBe(0);
    expect(finalCount).toBe(1);
    expect(eventsQueue).toMatch(/\t0\t0$/);
    markPassed('7-consumer-killed');
  });
});
