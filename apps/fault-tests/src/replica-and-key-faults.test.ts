// Faults of the services' own processes: a replica stopped or killed under load, a signing key
// rotated under load, a replica whose clock is off. One stack for this file, with 30-second
// access tokens so that "a token with 20 s left" is a ten-second wait.
import { join } from 'node:path';
import { Replica } from '@dja/stack';
import {
  ApiClient,
  jwtClaims,
  jwtHeader,
  registerAndLogIn,
  request,
  type TestUser,
} from '@dja/stack-client';
import {
  failureDetails,
  formatStatuses,
  freePort,
  Load,
  type LoadResult,
  sleep,
  waitFor,
} from '@dja/test-infra';
import { markPassed, recordScenario } from './support/results';
import { restartStopped, type Stack, startFaultStack } from './support/stack';

const TOKEN_TTL_SECONDS = 30;

let stack: Stack;
let gw: string;
let api: ApiClient;

beforeAll(async () => {
  stack = await startFaultStack(
    { auth: 2, orders: 3, profile: 1, notifications: 1 },
    { ACCESS_TOKEN_TTL: String(TOKEN_TTL_SECONDS) },
  );
  gw = stack.gatewayUrl;
  api = new ApiClient(gw);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  if (stack) await restartStopped(stack);
}, 120_000);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Failed requests among those that started after `ms` into the run. */
const failuresAfter = (result: LoadResult, ms: number) =>
  result.samples.filter((s) => s.startMs > ms && (s.status < 200 || s.status >= 300)).length;

describe('an orders replica taken away under load', () => {
  /** 10 connections reading orders through the gateway for 6 s, 2 s of it gone by. */
  async function ordersUnderLoad() {
    const user = await registerAndLogIn(api);
    const load = new Load({
      connections: 10,
      durationMs: 6_000,
      maxRequests: 20_000,
      next: () => ({ url: `${gw}/orders`, headers: bearer(user.tokens.access_token) }),
    }).start();
    await sleep(2_000);
    return { victim: stack.replicasOf('orders')[0]!, load };
  }

  it('stopped with SIGTERM: drains, and no request fails', async () => {
    const { victim, load } = await ordersUnderLoad();
    const signalledAt = load.elapsed();
    const inFlight = load.inFlight();
    await victim.stop();
    const exitedAt = load.elapsed();
    const result = await load.done();
    const servedByVictim = result.samples.filter((s) => s.servedBy === victim.name).length;
    // tools/stack sends SIGKILL 15 s after SIGTERM; the service's own shutdown timeout is 15 s too.
    const timedOut = (await victim.logTail(100)).includes('shutdown timed out');
    const ownExit =
      exitedAt - signalledAt < 14_900
        ? 'yes'
        : `no: ${timedOut ? 'its shutdown timed out' : 'killed by the stack after 15 s'}`;

    recordScenario('4a-sigterm', {
      order: 4,
      title: 'An orders replica (of 3) stopped with SIGTERM under load',
      figures: {
        'GET /orders through the gateway, 10 connections': `${result.requests} in ${(result.durationMs / 1000).toFixed(1)} s`,
        answers: formatStatuses(result.byStatus),
        'failed requests': result.failures,
        'requests in flight at the signal': inFlight,
        'SIGTERM → process exit': `${Math.round(exitedAt - signalledAt)} ms`,
        'answered by the stopped replica (before it exited)': servedByVictim,
        'exited on its own': ownExit,
        'latency p50 / p99': `${result.p50Ms} ms / ${result.p99Ms} ms`,
      },
    });
    expect(formatStatuses(result.byStatus)).toBe(`200×${result.requests}`);
    markPassed('4a-sigterm');
  });

  it('killed with SIGKILL: fails at most the requests in flight, and the gateway routes around it', async () => {
    const { victim, load } = await ordersUnderLoad();
    const inFlight = load.inFlight();
    await victim.kill();
    const deadAt = load.elapsed();
    const result = await load.done();
    const after = result.samples.filter((s) => s.startMs > deadAt);
    const servedAfter = new Set(after.map((s) => s.servedBy));

    recordScenario('4b-sigkill', {
      order: 4,
      title: 'An orders replica (of 3) killed with SIGKILL under load',
      figures: {
        'GET /orders through the gateway, 10 connections': `${result.requests} in ${(result.durationMs / 1000).toFixed(1)} s`,
        answers: formatStatuses(result.byStatus),
        'failed requests': result.failures,
        'requests in flight at the kill (upper bound on failures)': inFlight,
        'failed requests started after the kill': failuresAfter(result, deadAt),
        'replicas answering after the kill': [...servedAfter].join(', '),
        'latency p50 / p99': `${result.p50Ms} ms / ${result.p99Ms} ms`,
      },
      notes: [
        'nginx retries a GET whose connection fails on the next replica (proxy_next_upstream error), so requests cut by the kill are usually retried rather than failed.',
      ],
    });
    expect(result.failures).toBeLessThanOrEqual(inFlight);
    expect(failuresAfter(result, deadAt)).toBe(0);
    expect(servedAfter.has(victim.name)).toBe(false);
    expect(after.length).toBeGreaterThan(0);
    markPassed('4b-sigkill');
  });
});

describe('a signing-key rotation under load', () => {
  it('causes no 401, and tokens minted after activation carry the new kid', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 3; i++) users.push(await registerAndLogIn(api));
    const admin = await api.login(stack.admin);
    const oldKid = jwtHeader(users[0]!.tokens.access_token).kid as string;
    const pool = users.map((user) => user.tokens.access_token);
    const kidOf = new Map(pool.map((token) => [token, oldKid]));
    const paths = ['/orders', '/profile/me', '/notifications'];
    let withNewKid = 0;
    let newKid = '';

    const load = new Load({
      connections: 6,
      durationMs: 14_000,
      maxRequests: 30_000,
      next: (i) => {
        const token = pool[i % pool.length]!;
        if (newKid !== '' && kidOf.get(token) === newKid) withNewKid += 1;
        return { url: `${gw}${paths[i % paths.length]}`, headers: bearer(token) };
      },
    }).start();
    // Tokens minted all along, before and after the rotation, join the pool as they come.
    const minted: Array<{ atMs: number; kid: string }> = [];
    const minter = (async () => {
      for (let i = 0; load.elapsed() < 13_000; i++) {
        const user = users[i % users.length]!;
        const tokens = await api.login(user);
        const kid = jwtHeader(tokens.access_token).kid as string;
        minted.push({ atMs: load.elapsed(), kid });
        kidOf.set(tokens.access_token, kid);
        pool.push(tokens.access_token);
        await sleep(500);
      }
    })();
    await sleep(2_000);
    const rotatedAtMs = load.elapsed();
    const rotation = await request<{ kid: string; activateAt: string }>(
      `${gw}/auth/admin/keys/rotate`,
      {
        method: 'POST',
        token: admin.access_token,
      },
    );
    newKid = rotation.body.kid;
    const activationMs =
      rotatedAtMs + (Date.parse(rotation.body.activateAt) - Date.now()) + rotation.ms;
    const [result] = await Promise.all([load.done(), minter]);
    const later: string[] = [];
    for (const user of users)
      later.push(jwtHeader((await api.login(user)).access_token).kid as string);
    const firstNew = minted.find((m) => m.kid === newKid);

    recordScenario('5-key-rotation', {
      order: 5,
      title: 'A signing-key rotation under load (KEY_ACTIVATION_DELAY=3, JWKS_COOLDOWN=1)',
      figures: {
        'requests (orders, profile, notifications through the gateway)': `${result.requests} in ${(result.durationMs / 1000).toFixed(1)} s`,
        answers: formatStatuses(result.byStatus),
        '401 answers': result.byStatus[401] ?? 0,
        'failed requests, by replica and reason': failureDetails(result),
        'rotation requested at / new key active at': `${(rotatedAtMs / 1000).toFixed(1)} s / ${(activationMs / 1000).toFixed(1)} s into the run`,
        'tokens minted during the run (old kid / new kid)': `${minted.filter((m) => m.kid === oldKid).length} / ${minted.filter((m) => m.kid === newKid).length}`,
        'first token with the new kid': firstNew
          ? `${(firstNew.atMs / 1000).toFixed(1)} s into the run`
          : 'none',
        'requests carrying a new-kid token': withNewKid,
      },
      notes: [
        'Both auth replicas sign with the new key once they have reloaded the key set (KEY_RELOAD_INTERVAL, 5 s) after activation; until then the other replica keeps signing with the old key, which is still published.',
      ],
    });

    expect(rotation.status).toBe(201);
    expect(newKid).not.toBe(oldKid);
    expect(result.byStatus[401] ?? 0).toBe(0);
    expect(later).toEqual(users.map(() => newKid));
    expect(withNewKid).toBeGreaterThan(0);
    markPassed('5-key-rotation');
  });
});

describe('a replica whose clock is 30 s off', () => {
  const PRELOAD = join(__dirname, 'support/fake-clock.cjs');
  const extra: Replica[] = [];

  afterAll(async () => {
    await Promise.all(extra.map((replica) => replica.stop()));
  });

  /** An extra orders replica, reached directly (not behind nginx), with a shifted clock. */
  async function skewedReplica(
    id: string,
    offsetMs: number,
    toleranceSeconds: number,
  ): Promise<Replica> {
    const base = stack.replicasOf('orders')[0]!.spec;
    const port = await freePort();
    const operationsPort = await freePort();
    const replica = new Replica({
      ...base,
      id,
      port,
      operationsPort,
      logFile: join(stack.dir, 'logs', `orders-service-${id}.log`),
      env: {
        ...base.env,
        PORT: String(port),
        OPERATIONS_PORT: String(operationsPort),
        REPLICA_ID: id,
        CLOCK_TOLERANCE: String(toleranceSeconds),
        FAKE_CLOCK_OFFSET_MS: String(offsetMs),
        NODE_OPTIONS: `--require ${PRELOAD}`,
      },
    });
    extra.push(replica);
    await replica.start();
    return replica;
  }

  it('is tolerated within the leeway and refused beyond it', async () => {
    const [aheadLenient, behindStrict, aheadStrict] = await Promise.all([
      skewedReplica('ahead30-tol60', 30_000, 60),
      skewedReplica('behind30-tol5', -30_000, 5),
      skewedReplica('ahead30-tol5', 30_000, 5),
    ]);
    const normal = stack.replicasOf('orders')[1]!;
    const user = await registerAndLogIn(api);
    const token = user.tokens.access_token;
    const exp = jwtClaims(token).exp as number;

    // The shift is real: the replica stamps orders from its own clock.
    const created = await request<{ createdAt: string }>(`${aheadLenient.url}/orders`, {
      token,
      json: { items: [{ sku: 'SKEW', quantity: 1 }] },
    });
    const measuredSkewS = (Date.parse(created.body.createdAt) - Date.now()) / 1000;
    const freshAhead = await request(`${aheadLenient.url}/orders`, { token });
    const freshBehind = await request(`${behindStrict.url}/orders`, { token });

    await waitFor(() => exp - Date.now() / 1000 <= 20, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'the token to have 20 s left',
    });
    const leftS = exp - Date.now() / 1000;
    const lateStrict = await request(`${aheadStrict.url}/orders`, { token });
    const lateLenient = await request(`${aheadLenient.url}/orders`, { token });
    const lateNormal = await request(`${normal.url}/orders`, { token });

    recordScenario('6-clock-skew', {
      order: 6,
      title: 'A replica whose clock is 30 s off (Date shifted by a --require preload)',
      figures: {
        'skew measured on the +30 s replica (order createdAt − now)': `${measuredSkewS.toFixed(1)} s`,
        '+30 s, CLOCK_TOLERANCE=60, fresh token': freshAhead.status,
        '−30 s, CLOCK_TOLERANCE=5, fresh token (iat in its future)': `${freshBehind.status} ${freshBehind.text.slice(0, 80)}`,
        [`+30 s, CLOCK_TOLERANCE=5, token with ${leftS.toFixed(0)} s left`]: lateStrict.status,
        'same token at the +30 s / tolerance 60 replica': lateLenient.status,
        'same token at a replica with the right time': lateNormal.status,
      },
      notes: [
        'The services take no clock setting from the environment; the scenario preloads apps/fault-tests/src/support/fake-clock.cjs with NODE_OPTIONS=--require, which shifts Date.now() and new Date() by FAKE_CLOCK_OFFSET_MS in that process only.',
      ],
    });

    expect(created.status).toBe(201);
    expect(measuredSkewS).toBeGreaterThan(25);
    expect(freshAhead.status).toBe(200);
    expect(freshBehind.status).toBe(401);
    expect(leftS).toBeGreaterThan(12);
    expect(lateStrict.status).toBe(401);
    expect(lateLenient.status).toBe(200);
    expect(lateNormal.status).toBe(200);
    markPassed('6-clock-skew');
  });
});
