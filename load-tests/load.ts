/**
 * Load: VUs ramp up, each registers and logs in once, refreshes before its access token
 * expires, and mixes reads and writes across orders, profile and notifications.
 *
 *   k6 run -e BASE_URL=http://localhost:8080 -e VUS=50 load-tests/load.ts
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { VUS } from './lib/config.ts';
import { userIteration, type UserState } from './lib/journey.ts';
import { writeSummary } from './lib/summary.ts';
import { standardThresholds } from './lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    users: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.RAMP || '30s', target: VUS },
        { duration: __ENV.HOLD || '3m', target: VUS },
        { duration: __ENV.RAMP || '30s', target: 0 },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: standardThresholds(),
};

const state: UserState = { orders: 0 };

export default function load(): void {
  userIteration(state, exec.vu.iterationInScenario, exec.vu.idInTest);
}

export const handleSummary = writeSummary('load');
