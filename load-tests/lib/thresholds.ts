import type { Options } from 'k6/options';

/**
 * Thresholds every load profile shares. A crossed threshold makes `k6 run` exit non-zero.
 * Latency bounds are for the default compose stack on a laptop; tighten them for real hardware.
 */
export function standardThresholds(p95 = 500, p99 = 1500): NonNullable<Options['thresholds']> {
  return {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    http_req_duration: [`p(95)<${p95}`, `p(99)<${p99}`],
    // Reads that only verify a token locally and hit one indexed query should stay quick.
    'http_req_duration{service:orders}': [`p(95)<${p95}`, `p(99)<${p99}`],
    'http_req_duration{service:profile}': [`p(95)<${p95}`, `p(99)<${p99}`],
    'http_req_duration{service:notifications}': [`p(95)<${p95}`, `p(99)<${p99}`],
    // A valid token is never refused: every 401 to a live session is a bug.
    unauthorized_responses: ['count==0'],
  };
}
