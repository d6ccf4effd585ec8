import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecurityCase } from '../cases/security-case';

const ROOT = join(__dirname, '../../../..');
export const REPORT_PATH = join(ROOT, 'docs/security.md');
const PRETTIER_CLI = join(ROOT, 'node_modules/prettier/bin/prettier.cjs');

/** What one request of a case got back. */
export interface Observation {
  service: string;
  via: string;
  status: number;
  bearerError: string | null | undefined;
}

/** A row outside the per-service table: token endpoint, login throttle, flood, ownership. */
export interface ScenarioRow {
  id: string;
  reference: string;
  what: string;
  observed: string;
}

export interface ReportInput {
  cases: readonly SecurityCase[];
  observations: ReadonlyMap<string, readonly Observation[]>;
  scenarios: readonly ScenarioRow[];
  figures: readonly string[];
  targets: string;
}

const INTRO = `# Security test results

This file is written by \`apps/security-tests\` (\`npm run test:security\`, also part of
\`npm test\`) at the end of every run: do not edit it by hand, edit
\`apps/security-tests/src/testing/security-report.ts\`. The suite starts one local stack, mints
tokens on the spot (valid ones with the auth service's own signing key, imported through
\`SIGNING_KEY_FILE\`, so that each claim and header check is tested in isolation; forged ones with
attacker keys) and sends every case below to every resource service (orders, profile,
notifications), once through the nginx gateway and once straight at each replica. A case passes
only if every one of those requests got the status and RFC 6750 \`error\` listed as expected;
none may answer 2xx (except the controls, which prove the targets accept good tokens) or 5xx.
The families follow RFC 8725 (JWT Best Current Practices), the OWASP JWT cheat sheet and the
attacks of jwt_tool.`;

/** Fixed text: what to do when a signing key leaks (docs/events.md links to its anchor). */
const LEAKED_KEY_RUNBOOK = `## Runbook: our signing key leaked

This section is fixed text in \`apps/security-tests/src/testing/security-report.ts\`; the
behaviour it describes is tested in \`apps/e2e/src/key-withdrawal.test.ts\` and measured by
\`npm run bench -- revocation\` ([benchmarks](benchmarks.md)).

**Steps.**

1. Find the kid: it is in the header of any token signed with the key, and in
   \`GET /auth/admin/keys\` (\`state: current\` is the key signing now).
2. Withdraw it, as an admin:
   \`curl -X POST -H "Authorization: Bearer $ADMIN_TOKEN" https://<gateway>/auth/admin/keys/<kid>/withdraw\`.
   The 200 names the key now active (\`activeKid\`: the key already published for the next
   rotation when there is one, otherwise a new one) and the audit data (\`kid\`, \`withdrawnAt\`,
   \`withdrawnBy\`); a \`signing key withdrawn\` warning with the same fields is logged. A second
   call answers 409, an unknown kid 404.
3. If the key came in through \`SIGNING_KEY_FILE\`, remove that file from the deployment (or point
   it at a new key): a replica started with a withdrawn key refuses to start, naming the kid.
4. Check the metrics (below), then find out how the key leaked. If \`KEY_ENCRYPTION_SECRET\` and a
   database dump leaked together, every stored key is exposed: withdraw each of them in turn.

**What happens.** In one transaction the key stops signing, leaves the JWKS, its encrypted
private key is erased (the row stays as a tombstone: the kid can never be imported, activated
or published again), and \`signing-key.withdrawn\` goes into the outbox. The admin call answers
once RabbitMQ confirmed the event; every replica of every resource service then drops the key
from its JWKS cache, drops the verified-token cache entries it signed, refuses its kid from then
on even if a stale JWKS or the stale-if-error period still offers it, and fetches the JWKS
again for the new key. auth-service replicas stop signing with it. Replicas that start later or
were disconnected read every withdrawn kid from \`GET /internal/revocations\` before they report
ready.

**If the broker is down** the withdrawal still commits and answers 200; the event waits in the
outbox and goes out once the broker is back, and every replica reloads the snapshot when it
reconnects: the broadcast is delayed, nothing is lost. The window and what narrows it meanwhile:
auth-service replicas re-read the key set every \`KEY_RELOAD_INTERVAL\` (5 s), so soon none signs
with the key; a resource replica refetches the JWKS, which no longer lists the key, on the first
uncached request once its copy is older than the \`Cache-Control: max-age\` auth-service sends (at
most 60 s), and a refetch that drops a key also empties the verified-token cache. Until then that
replica still accepts the key's tokens, so bring the broker back first. The e2e test stops the
broker around a withdrawal and checks that no replica heard of it during the outage and that
every one refuses the kid once the broker is back.

**What users notice.** Their next call with an access token signed by the withdrawn key gets
401 \`invalid_token\` ("The access token signing key has been withdrawn"). A client that refreshes
on 401, as the console does, sends its refresh token once and carries on: refresh tokens are
opaque strings checked against the database, not signed with the key, so sessions survive and
no one logs in again. Tokens an attacker minted with the key are refused like the others.

**What the metrics show.** \`auth_signing_keys_withdrawn_total\` (auth-service) counts
withdrawals; \`auth_jwks_withdrawn_keys\` on every resource replica rises to the number of
withdrawn kids it refuses, on every replica within milliseconds (a replica lagging behind has
not received the event: check \`auth_jwks_fetches_total\` and its broker connection in \`/readyz\`);
\`auth_tokens_issued_total{grant_type="refresh_token"}\` jumps as clients refresh; the 401 rate of
the resource services spikes for about one access-token lifetime at most and falls back as
clients refresh. 5xx should stay flat.`;

/** How the edge is set up: headers, operations listener, error formats, token claims. */
const EDGE = `## The edge

- **Nothing operational through the gateway.** Each replica serves \`/healthz\`, \`/readyz\` (with
  its per-dependency detail) and \`/metrics\` on a separate operations listener
  (\`OPERATIONS_PORT\`, 9000 in containers) that Prometheus and the orchestrator reach directly;
  the public listener, the only one the gateway forwards to, has no such paths. \`libs/http\`'s
  \`listen(app, port, host, operationsPort)\` starts both.
- **Protective headers on every API answer, errors included**, set by
  [helmet](https://helmetjs.github.io/) 8 in \`libs/http\` (\`security-headers.ts\`): a
  maintained, dependency-free library that tracks what browsers honour, configured for a JSON
  API rather than its HTML defaults: \`Content-Security-Policy: default-src 'none';
  frame-ancestors 'none'\`, \`X-Content-Type-Options: nosniff\`, \`X-Frame-Options: DENY\`,
  \`Referrer-Policy: no-referrer\`, \`Strict-Transport-Security\`, cross-origin isolation
  headers. \`Cache-Control: no-store\` is the default, because most answers are personal
  (profile, orders, notifications, tokens); only public documents (JWKS, metadata) set their own
  caching. The gateway's own answers (404, 503) carry \`nosniff\` and \`no-store\` too.
- **One \`X-Request-Id\`**: the gateway hides the one services echo and sends its own (the same
  id it passed on, so logs match).
- **One error format per kind of endpoint**: RFC 6749 §5.2 JSON at the token endpoint; RFC 6750
  \`WWW-Authenticate\` challenges plus an RFC 9457 problem body for 401/403 of resource servers;
  problem+json everywhere else, with \`type\` URIs that open [docs/problems.md](problems.md).
- **Access tokens carry no personal data** ([ADR 10](adr/0010-access-token-claims.md)): no
  \`email\`; \`client_id\` (RFC 9068 §2.2) in every token.
- **OAuth metadata and revocation.** RFC 8414 metadata at the well-known URI derived from the
  issuer (\`/.well-known/oauth-authorization-server/auth\` through the gateway); no
  openid-configuration, since this is no OpenID Provider. RFC 7009 revocation at
  \`/auth/revoke\`, advertised there: the public client names itself with \`client_id\`,
  services authenticate with HTTP Basic; a revoked refresh token ends its session, broadcast
  like a logout; unknown or spent tokens answer 200.
- **Throttles shared by every replica**, counted in PostgreSQL (\`throttle_events\`): failed
  logins per account and per client address, sign-ups per client address
  (\`REGISTRATION_MAX_PER_ADDRESS\`, 20 an hour by default), failed client authentications per
  configured client id (\`CLIENT_MAX_FAILED_AUTHENTICATIONS\`, 20 in 5 minutes). Each answers 429
  with \`Retry-After\`: problem+json, or \`{"error": "slow_down"}\` at the token and revocation
  endpoints. A throttled client id is refused even with the right secret until the window frees
  a slot, so anyone who knows a client id (ids are not secret) can hold that client off for one
  window: the limit is generous, the window short, and secrets of 32+ random characters make
  guessing hopeless anyway. A background job deletes counts whose window has passed.
- **The client address is the gateway's word only.** The gateway replaces any \`X-Forwarded-For\`
  a client sends with the address it saw, and the services believe that header only from
  \`TRUSTED_PROXIES\` (addresses or CIDR blocks, never "everyone"; loopback by default, the
  gateway's address in the local stack, the private network in compose and Kubernetes). A
  forged header, through the gateway or straight at a replica, does not move a client out of
  its throttle (rows \`signup-flood-forged-forwarded-for\` and
  \`forwarded-for-from-untrusted-peer\` below).
- **Bounded data**: throttle counts are purged once their window has passed
  (\`THROTTLE_PURGE_INTERVAL\`), and orders' idempotency keys are forgotten
  \`IDEMPOTENCY_KEY_TTL\` (a day) after their order.
- **Oversized headers**: nginx refuses a header beyond its 16 kB buffers with 400 before any
  service sees it. Straight at a replica, Node 24 writes 431 and closes the connection at once;
  a client still sending its 100 kB header usually sees the connection reset before it can read
  the 431 (\`connection closed\` below). Either way nothing reaches the application.`;

/** The markdown of docs/security.md, formatted as the repository's Prettier config wants it. */
export function renderSecurityReport(input: ReportInput): Promise<string> {
  const lines = [INTRO, '', `Targets of this run: ${input.targets}.`, '', EDGE, ''];
  lines.push('## Crafted tokens and requests', '');
  lines.push('| Case | Family | Request | Reference | Expected | Observed |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const item of input.cases) {
    const observed = input.observations.get(item.id) ?? [];
    const expected = typeof item.expect === 'function' ? 'see observed' : outcome(item.expect);
    lines.push(
      `| \`${item.id}\` | ${item.family} | ${cell(item.title)} | ${cell(item.reference)} | ${expected} | ${summarise(observed)} |`,
    );
  }
  lines.push('', '## Sessions, logins, key flood and ownership', '');
  lines.push('| Scenario | What | Reference | Observed |', '| --- | --- | --- | --- |');
  for (const row of input.scenarios) {
    lines.push(
      `| \`${row.id}\` | ${cell(row.what)} | ${cell(row.reference)} | ${cell(row.observed)} |`,
    );
  }
  lines.push('', '## Figures of this run', '', ...input.figures.map((figure) => `- ${figure}`), '');
  lines.push(LEAKED_KEY_RUNBOOK, '');
  return formatWithPrettier(lines.join('\n'));
}

/** Prettier's own CLI (its API needs ESM dynamic import, which Jest's CommonJS VM lacks). */
function formatWithPrettier(markdown: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [PRETTIER_CLI, '--stdin-filepath', REPORT_PATH],
      { maxBuffer: 10 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stdin?.end(markdown);
  });
}

export async function writeSecurityReport(input: ReportInput): Promise<void> {
  await writeFile(REPORT_PATH, await renderSecurityReport(input));
}

function outcome(expect: { status: number | readonly number[]; bearerError?: string | null }) {
  const status =
    typeof expect.status === 'number' ? String(expect.status) : expect.status.join('/');
  return expect.bearerError ? `${status} \`${expect.bearerError}\`` : status;
}

function describe(observation: Observation): string {
  const status = observation.status === 0 ? 'connection closed' : String(observation.status);
  return observation.bearerError ? `${status} \`${observation.bearerError}\`` : status;
}

/** "401 `invalid_token` (8/8)", or the answers per kind of target when they differ. */
function summarise(observations: readonly Observation[]): string {
  if (observations.length === 0) return 'not run';
  const all = new Set(observations.map(describe));
  if (all.size === 1) return `${[...all][0]} (${observations.length}/${observations.length})`;
  const gateway = observations.filter((o) => o.via === 'gateway');
  const direct = observations.filter((o) => o.via !== 'gateway');
  const part = (label: string, list: Observation[]) => {
    const counts = new Map<string, number>();
    for (const o of list) counts.set(describe(o), (counts.get(describe(o)) ?? 0) + 1);
    return `${label}: ${[...counts].map(([text, n]) => `${text} (${n}/${list.length})`).join(', ')}`;
  };
  return `${part('gateway', gateway)}; ${part('replicas', direct)}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
