import { Counter, Trend } from 'k6/metrics';

// Custom metrics live in the init context: k6 creates them once per VU, before any iteration.

/** Every answer from a service, tagged with `service` and `replica` (from X-Served-By). */
export const replicaResponses = new Counter('replica_responses');

/** Request duration per service and replica (the built-in metric cannot know the replica). */
export const replicaDuration = new Trend('replica_req_duration', true);

/** 401s from resource services to a token the script believes valid. */
export const unauthorized = new Counter('unauthorized_responses');

/** Refresh-token grants performed to keep sessions alive. */
export const refreshes = new Counter('token_refreshes');

/** Access tokens seen, tagged with the `kid` that signed them. */
export const tokensByKid = new Counter('tokens_by_kid');

/** From the logout's 2xx until the gateway first refuses the logged-out access token. */
export const revokedTokenAcceptedMs = new Trend('revoked_token_accepted_ms', true);

/** Requests that a logged-out access token still got a 200 for. */
export const revokedTokenAcceptedRequests = new Counter('revoked_token_accepted_requests');

/** Logged-out tokens still accepted when the script stopped polling. */
export const revocationTimeouts = new Counter('revocation_timeouts');
