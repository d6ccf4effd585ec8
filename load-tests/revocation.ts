/**
 * Revocation under load: regular users keep the services busy while other VUs log in, use the
 * token, log out, and poll with the logged-out token until the gateway refuses it. How long
 * it stayed accepted is the `revoked_token_accepted_ms` trend.
 *
 *   k6 run -e BASE_URL=http://localhost:8080 load-tests/revocation.ts
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { login, logout, register, uniqueEmail } from './lib/auth.ts';
import { call } from './lib/client.ts';
import { expectStatus, expectThat } from './lib/checks.ts';
import { THINK_TIME, VUS } from './lib/config.ts';
import { userIteration, type UserState } from './lib/journey.ts';
import {
  revocationTimeouts,
  revokedTokenAcceptedMs,
  revokedTokenAcceptedRequests,
} from './lib/metrics.ts';
import { writeSummary } from './lib/summary.ts';
import { standardThresholds } from './lib/thresholds.ts';

/** Give up on a logged-out token after this long (and count a timeout). */
const POLL_LIMIT_MS = 5000;

export const options: Options = {
  scenarios: {
    background: {
      executor: 'constant-vus',
      vus: VUS,
      duration: __ENV.DURATION || '2m',
      exec: 'background',
    },
    logouts: {
      executor: 'constant-vus',
      vus: Math.max(1, Math.round(VUS / 5)),
      duration: __ENV.DURATION || '2m',
      startTime: '10s',
      exec: 'logoutAndProbe',
    },
  },
  thresholds: {
    ...standardThresholds(),
    revoked_token_accepted_ms: ['p(50)<50', 'p(99)<250'],
    revocation_timeouts: ['count==0'],
  },
};

const state: UserState = { orders: 0 };
let email: string | undefined;

export function background(): void {
  userIteration(state, exec.vu.iterationInScenario, exec.vu.idInTest);
}

/** One session: log in, use the token, log out, then measure how long the token still works. */
export function logoutAndProbe(): void {
  if (!email) {
    const candidate = uniqueEmail('revocation');
    if (!register(candidate)) return;
    email = candidate;
  }
  const session = login(email);
  if (!session) return;
  // Use the token first so that the replica has it in its verified-token cache.
  expectStatus(
    call('GET', 'orders', 'GET /orders', '/orders?limit=1', { token: session.accessToken }),
    200,
    'token works before logout',
  );
  if (!logout(session)) return;
  const loggedOut = Date.now();
  let accepted = 0;
  let refused = false;
  while (!refused && Date.now() - loggedOut < POLL_LIMIT_MS) {
    const response = call('GET', 'orders', 'GET /orders (revoked)', '/orders?limit=1', {
      token: session.accessToken,
      expectUnauthorized: true,
    });
    refused = response.status === 401;
    if (response.status === 200) accepted++;
  }
  revokedTokenAcceptedMs.add(Date.now() - loggedOut);
  revokedTokenAcceptedRequests.add(accepted);
  if (!refused) revocationTimeouts.add(1);
  expectThat(refused, 'logged-out token refused');
  if (THINK_TIME > 0) sleep(THINK_TIME);
}

export const handleSummary = writeSummary('revocation');
