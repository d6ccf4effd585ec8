/**
 * Spike: a quiet baseline, then ten times the users within seconds, then back. The thresholds
 * are looser than load.ts's: the point is that nothing fails, not that latency stays flat.
 *
 *   k6 run -e BASE_URL=http://localhost:8080 -e VUS=10 load-tests/spike.ts
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { VUS } from './lib/config.ts';
import { userIteration, type UserState } from './lib/journey.ts';
import { writeSummary } from './lib/summary.ts';
import { standardThresholds } from './lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: '20s', target: VUS },
        { duration: '10s', target: VUS * 10 },
        { duration: '1m', target: VUS * 10 },
        { duration: '10s', target: VUS },
        { duration: '30s', target: VUS },
        { duration: '10s', target: 0 },
      ],
      gracefulRampDown: '15s',
    },
  },
  thresholds: { ...standardThresholds(2000, 5000), http_req_failed: ['rate<0.02'] },
};

const state: UserState = { orders: 0 };

export default function spike(): void {
  userIteration(state, exec.vu.iterationInScenario, exec.vu.idInTest);
}

export const handleSummary = writeSummary('spike');
