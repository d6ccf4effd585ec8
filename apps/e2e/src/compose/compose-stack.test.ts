// docker-compose.yml run for real, as a user runs it: every container healthy, the journey
// through the compose gateway, then faults, each followed by the journey again, and nothing left
// after `down -v`. The steps share one stack and run in order.
import { Load, sleep, waitFor } from '@dja/test-infra';
import { registerAndLogIn, type TestUser } from '@dja/stack-client';
import { isInvalidTokenRefusal } from '../support/token-checks';
import { composeRun } from './support/compose-run';
import { ComposeStack } from './support/compose-stack';
import { exec } from './support/docker';
import { hearFromEveryReplica, walkJourney, waitForNotifications } from '../support/journey';

const run = composeRun();
const describeWithDocker = run.unavailable ? describe.skip : describe;

let stack: ComposeStack;

async function journey(): Promise<void> {
  await stack.waitUntilHealthy();
  await walkJourney({
    api: stack.api,
    rabbitmqUiUrl: stack.rabbitmqUiUrl,
    replicas: await stack.replicaNames(),
  });
}

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.tokens.access_token}` });

describeWithDocker('docker-compose.yml, run for real', () => {
  beforeAll(async () => {
    if (run.unavailable) return;
    stack = await ComposeStack.create(run.command, run.tag);
    await stack.start();
  });

  afterAll(async () => {
    // Whatever failed: the stack goes. The last test checks that down leaves nothing behind.
    await stack?.down().catch(() => undefined);
  });

  it('brings every container up healthy and every migration job to exit 0', async () => {
    const containers = await stack.waitUntilHealthy();
    const services = new Set(containers.map((c) => c.service));
    for (const service of ['postgres', 'rabbitmq', 'gateway', 'auth-service', 'orders-migrate']) {
      expect(services).toContain(service);
    }
  });

  it('names each replica in its logs as `docker compose ps` does (orders-service-2)', async () => {
    const [replica] = await stack.compose.running('orders-service');
    const logs = await exec('docker', ['logs', replica!.id]);
    expect(logs).toContain(`"service":"orders-service"`);
    expect(logs).toContain(`"replica":"${replica!.number}"`);
  });

  it('walks the journey through the compose gateway', journey);

  it('follows orders-service scaled to 5 replicas without a gateway restart', async () => {
    const [gatewayBefore] = await stack.compose.running('gateway');
    await stack.compose.run([
      'up',
      '--detach',
      '--no-build',
      '--no-deps',
      '--no-recreate',
      '--scale',
      'orders-service=5',
      'orders-service',
    ]);
    await stack.waitUntilHealthy();
    const { 'orders-service': orders = [] } = await stack.replicaNames();
    expect(orders).toHaveLength(5);

    const user = await registerAndLogIn(stack.api);
    const heard = await waitFor(
      () =>
        hearFromEveryReplica(
          orders,
          () => stack.api.call('/orders', { token: user.tokens.access_token }),
          (response) => response.status === 200,
          'orders after scaling',
        ),
      { timeoutMs: 20_000, intervalMs: 500, description: 'all 5 orders replicas to answer' },
    );
    expect([...heard].sort()).toEqual(orders);
    const [gatewayAfter] = await stack.compose.running('gateway');
    expect(gatewayAfter!.startedAt).toBe(gatewayBefore!.startedAt);

    await journey();
  });

  it('fails only requests in flight when an orders container is killed under steady load', async () => {
    const user = await registerAndLogIn(stack.api);
    const [victim] = await stack.compose.running('orders-service');
    const load = new Load({
      connections: 4,
      durationMs: 10_000,
      maxRequests: 20_000,
      next: () => ({ url: stack.api.url('/orders'), headers: bearer(user) }),
    }).start();
    await sleep(3_000);
    const killStart = load.elapsed();
    const inFlight = load.inFlight();
    await exec('docker', ['kill', victim!.id]);
    const killEnd = load.elapsed();
    const result = await load.done();

    const failures = result.samples.filter((s) => s.status !== 200);
    const notInFlight = failures.filter((s) => s.startMs > killEnd || s.endMs < killStart);
    expect(result.requests).toBeGreaterThan(50);
    expect(notInFlight).toEqual([]);
    expect(failures.length).toBeLessThanOrEqual(Math.max(inFlight, 4));
    expect(result.samples.some((s) => s.startMs > killEnd && s.status === 200)).toBe(true);

    // A killed container stays down (Docker restarts none stopped by hand); it goes, and the
    // journey walks the replicas left.
    await exec('docker', ['rm', '--force', victim!.id]);
    await journey();
  });

  it('loses no event when RabbitMQ restarts under load', async () => {
    const user = await registerAndLogIn(stack.api);
    const load = new Load({
      connections: 2,
      durationMs: 20_000,
      // One user's notifications are read in one page of 100.
      maxRequests: 80,
      next: (i) => ({
        url: stack.api.url('/orders'),
        method: 'POST',
        headers: { ...bearer(user), 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: `RESTART-${i}`, quantity: 1 }] }),
      }),
    }).start();
    await sleep(2_000);
    await stack.compose.run(['restart', '--timeout', '5', 'rabbitmq']);
    const result = await load.done();

    const created = result.samples.filter((s) => s.status === 201).length;
    expect(created).toBeGreaterThan(0);
    const orders = await stack.api.call<{ items: Array<{ id: string }> }>('/orders?limit=100', {
      token: user.tokens.access_token,
    });
    expect(orders.status).toBe(200);
    expect(orders.body.items.length).toBe(created);
    await waitForNotifications(
      stack.api,
      user.tokens.access_token,
      orders.body.items.map((order) => order.id),
      120_000,
    );

    await journey();
  });

  it('keeps accepting valid tokens at orders and profile with both auth-service containers stopped', async () => {
    const user = await registerAndLogIn(stack.api);
    const replicas = await stack.replicaNames();
    await stack.compose.run(['stop', '--timeout', '5', 'auth-service']);
    expect(await stack.compose.running('auth-service')).toEqual([]);

    for (const [service, path] of [
      ['orders-service', '/orders'],
      ['profile-service', '/profile/me'],
    ] as const) {
      await hearFromEveryReplica(
        replicas[service] ?? [],
        () => stack.api.call(path, { token: user.tokens.access_token }),
        (response) => response.status === 200,
        `a valid token at ${service} with auth-service down`,
      );
    }
    const refused = await stack.api.call('/orders', { token: `${user.tokens.access_token}x` });
    expect(isInvalidTokenRefusal(refused)).toBe(true);

    await stack.compose.run(['start', 'auth-service']);
    await journey();
  });

  it('leaves no container, network or volume behind after down -v', async () => {
    await stack.down();
    expect(await stack.compose.leftovers()).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
