/**
 * Every k6 script's scenario code, run once against a real local stack through the k6 shim, so
 * that the scripts cannot rot unnoticed while no k6 binary is around. Checks and the
 * thresholds that do not measure time must pass; latency thresholds are only parsed (two shared
 * cores say nothing about latency).
 */
import { startStack, type Stack } from '@dja/stack';
import { ACTIONS } from '../lib/actions';
import {
  counted,
  failedChecks,
  type PlanStep,
  runK6Script,
  type ShimRun,
} from './k6-shim/run-k6-script';

let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({
    port: 0,
    replicas: { auth: 1, orders: 2, profile: 1, notifications: 1 },
    // A rotated key starts signing after 2 s, and a replica may refetch the JWKS every second.
    env: {
      ...process.env,
      KEY_ACTIVATION_DELAY: '3',
      KEY_RELOAD_INTERVAL: '1',
      JWKS_COOLDOWN: '1',
    },
  });
  env = {
    BASE_URL: stack.gatewayUrl,
    ADMIN_EMAIL: stack.admin.email,
    ADMIN_PASSWORD: stack.admin.password,
    THINK_TIME: '0',
  };
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

const run = (name: string, plan: PlanStep[], extra: Record<string, string> = {}) =>
  runK6Script(name, { env: { ...env, ...extra }, plan });

/** What every run must show: no exceptions, no failed check, no crossed non-timing threshold. */
function expectClean(result: ShimRun): void {
  expect(result.errors).toEqual([]);
  expect(failedChecks(result)).toEqual({});
  const crossed = result.thresholds.filter((t) => !t.ok && !/duration|_ms\b|_ms\{/.test(t.metric));
  expect(crossed).toEqual([]);
  expect(result.summaryFiles).toEqual(expect.arrayContaining(['stdout']));
}

const replicasAnswering = (result: ShimRun, service: string) =>
  new Set(
    (result.metrics.replica_responses?.samples ?? [])
      .filter((s) => s.tags.service === service)
      .map((s) => s.tags.replica),
  );

test('smoke calls every endpoint once and every check passes', async () => {
  const result = await run('smoke', [{ exec: 'default', iterations: 1 }]);
  expectClean(result);
  expect(Object.keys(result.checks)).toEqual(
    expect.arrayContaining([
      'create order: 201',
      'admin key list: 200',
      'logged-out token refused: 401',
    ]),
  );
});

test('load mixes reads and writes over every service, refreshing before the token expires', async () => {
  const result = await run('load', [{ exec: 'default', iterations: ACTIONS.length }], {
    // Every iteration is "close to expiry", so the refresh path runs each time.
    REFRESH_MARGIN: '1000000',
  });
  expectClean(result);
  expect(counted(result, 'token_refreshes')).toBe(ACTIONS.length);
  for (const name of [
    'list orders: 200',
    'create order: 201',
    'get order: 200',
    'update profile: 200',
    'list notifications: 200',
  ]) {
    expect(result.checks[name]?.passes).toBeGreaterThan(0);
  }
  expect(replicasAnswering(result, 'orders')).toEqual(
    new Set(['orders-service-1', 'orders-service-2']),
  );
});

test('spike runs the same journey for several VUs', async () => {
  const result = await run('spike', [
    { exec: 'default', iterations: 3, vu: 1 },
    { exec: 'default', iterations: 3, vu: 2 },
  ]);
  expectClean(result);
  expect(result.checks['list orders: 200']?.passes).toBeGreaterThan(0);
});

test('revocation measures how long each logged-out token stays accepted', async () => {
  const result = await run('revocation', [
    { exec: 'background', iterations: 3, vu: 1 },
    { exec: 'logoutAndProbe', iterations: 3, vu: 2 },
  ]);
  expectClean(result);
  expect(result.metrics.revoked_token_accepted_ms?.samples).toHaveLength(3);
  expect(counted(result, 'revocation_timeouts')).toBe(0);
  expect(result.checks['logged-out token refused']).toEqual({ passes: 3, fails: 0 });
});

test('rotation sees zero 401s across a real key rotation', async () => {
  const result = await run(
    'rotation',
    [
      { exec: 'traffic', iterations: 4, vu: 1 },
      { exec: 'rotateKeys', iterations: 1, vu: 2 },
      { exec: 'traffic', iterations: 8, vu: 1 },
    ],
    { REFRESH_EVERY: '2' },
  );
  expectClean(result);
  expect(counted(result, 'rotations_completed')).toBe(1);
  expect(counted(result, 'unauthorized_responses')).toBe(0);
  // Users held tokens of the old key before and of the new key after: the switch was crossed.
  const kids = new Set(result.metrics.tokens_by_kid?.samples.map((s) => s.tags.kid));
  expect(kids.size).toBeGreaterThanOrEqual(2);
  expect(result.checks['new key signs tokens']).toEqual({ passes: 1, fails: 0 });
});
