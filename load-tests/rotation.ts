/**
 * Key rotation under load: users keep working (and refreshing, so new tokens are minted all
 * along) while an admin rotates the signing keys halfway through. Once the new key activates,
 * tokens carry its kid; every replica must accept them: zero 401s (`unauthorized_responses`).
 *
 *   k6 run -e BASE_URL=http://localhost:8080 -e ADMIN_PASSWORD=… load-tests/rotation.ts
 *
 * The auth service publishes a new key KEY_ACTIVATION_DELAY seconds before signing with it
 * (120 by default); DURATION must cover ROTATE_AT plus that delay.
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { keyIdOf, login, refresh } from './lib/auth.ts';
import { call, jsonBody } from './lib/client.ts';
import { expectThat } from './lib/checks.ts';
import { ADMIN, VUS } from './lib/config.ts';
import { userIteration, type UserState } from './lib/journey.ts';
import { writeSummary } from './lib/summary.ts';
import { standardThresholds } from './lib/thresholds.ts';
import { Counter, Trend } from 'k6/metrics';

/** Refresh at least every this many iterations, so that tokens of the new key show up soon. */
const REFRESH_EVERY = Number(__ENV.REFRESH_EVERY || 20);
/** How long to wait for the new key to sign tokens, seconds. */
const ACTIVATION_LIMIT = Number(__ENV.ACTIVATION_LIMIT || 300);

const rotations = new Counter('rotations_completed');
const activationWait = new Trend('key_activation_wait_ms', true);

export const options: Options = {
  scenarios: {
    traffic: {
      executor: 'constant-vus',
      vus: VUS,
      duration: __ENV.DURATION || '5m',
      exec: 'traffic',
    },
    rotate: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      startTime: __ENV.ROTATE_AT || '30s',
      maxDuration: `${ACTIVATION_LIMIT + 60}s`,
      exec: 'rotateKeys',
    },
  },
  thresholds: {
    ...standardThresholds(),
    unauthorized_responses: ['count==0'],
    rotations_completed: ['count==1'],
  },
};

const state: UserState = { orders: 0 };

export function traffic(): void {
  const iteration = exec.vu.iterationInScenario;
  if (state.session && iteration > 0 && iteration % REFRESH_EVERY === 0) refresh(state.session);
  userIteration(state, iteration, exec.vu.idInTest);
}

interface KeyList {
  keys: Array<{ kid: string; state: string }>;
}

/** Rotates, waits until the new key signs tokens, and checks the JWKS served it in time. */
export function rotateKeys(): void {
  const admin = login(ADMIN.email, ADMIN.password);
  if (!admin) return;
  const rotated = call('POST', 'auth', 'POST /auth/admin/keys/rotate', '/auth/admin/keys/rotate', {
    token: admin.accessToken,
  });
  const kid = jsonBody<{ kid: string }>(rotated)?.kid;
  if (!expectThat(rotated.status === 201 || rotated.status === 200, 'rotation accepted') || !kid) {
    return;
  }
  const jwks = jsonBody<KeyList>(call('GET', 'auth', 'GET jwks', '/auth/.well-known/jwks.json'));
  expectThat(jwks?.keys.some((key) => key.kid === kid) ?? false, 'new key published at once');

  const started = Date.now();
  let signingKid = keyIdOf(admin.accessToken);
  while (signingKid !== kid && Date.now() - started < ACTIVATION_LIMIT * 1000) {
    sleep(1);
    if (!refresh(admin)) return;
    signingKid = keyIdOf(admin.accessToken);
  }
  activationWait.add(Date.now() - started);
  if (!expectThat(signingKid === kid, 'new key signs tokens')) return;
  const keys = jsonBody<KeyList>(
    call('GET', 'auth', 'GET /auth/admin/keys', '/auth/admin/keys', { token: admin.accessToken }),
  );
  expectThat(
    keys?.keys.some((key) => key.kid === kid && key.state === 'current') ?? false,
    'new key is current',
  );
  rotations.add(1);
}

export const handleSummary = writeSummary('rotation');
