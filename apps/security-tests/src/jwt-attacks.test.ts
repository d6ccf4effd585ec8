import { randomUUID } from 'node:crypto';
import { SECURITY_CASES } from './cases';
import { expectationFor, type SecurityCase, type Target } from './cases/security-case';
import { type AttackContext, createAttackContext, createUser } from './testing/attack-context';
import { type Observation, type ScenarioRow, writeSecurityReport } from './testing/security-report';
import { bearerError, replicasSettle, sendRaw, sendRawJson } from '@dja/stack-client';
import { PROBE_PATHS, RESOURCE_SERVICES, replicasOf, securityStack } from './testing/stack-info';

const stack = securityStack();
const resourceReplicas = RESOURCE_SERVICES.flatMap((service) => replicasOf(stack, service));
const targets: Target[] = RESOURCE_SERVICES.flatMap((service) => [
  { service, via: 'gateway', baseUrl: stack.gatewayUrl },
  ...replicasOf(stack, service).map((replica) => ({
    service,
    via: replica.name,
    baseUrl: replica.url,
  })),
]);

const observations = new Map<string, Observation[]>();
const scenarios: ScenarioRow[] = [];
const figures: string[] = [];
let ctx: AttackContext;

beforeAll(async () => {
  ctx = await createAttackContext(stack);
});

afterAll(async () => {
  await ctx?.close();
  await writeSecurityReport({
    cases: SECURITY_CASES,
    observations,
    scenarios,
    figures,
    targets: targets.map((target) => `${target.service} via ${target.via}`).join(', '),
  });
});

async function sendCase(item: SecurityCase, target: Target) {
  const request = item.build(ctx, target);
  const path = PROBE_PATHS[target.service] + (request.query ? `?${request.query}` : '');
  return sendRaw(target.baseUrl, { path, headers: request.headers });
}

describe('crafted tokens and requests, through the gateway and at each replica', () => {
  it('has at least 40 cases for every resource service', () => {
    expect(SECURITY_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SECURITY_CASES.map((item) => item.id)).size).toBe(SECURITY_CASES.length);
  });

  it.each(SECURITY_CASES)('$id: $title', async (item) => {
    const responses = await Promise.all(targets.map((target) => sendCase(item, target)));
    observations.set(
      item.id,
      responses.map((response, index) => ({
        service: targets[index]!.service,
        via: targets[index]!.via,
        status: response.status,
        bearerError: bearerError(response),
      })),
    );
    const answers = responses.map((response, index) => {
      const target = targets[index]!;
      const expected = expectationFor(item, target);
      const statuses = typeof expected.status === 'number' ? [expected.status] : expected.status;
      return {
        target: `${target.service} via ${target.via}`,
        statusOk: statuses.includes(response.status),
        bearerOk:
          expected.bearerError === undefined || bearerError(response) === expected.bearerError,
        neverServerError: response.status < 500,
        // 2xx only where the case expects it (the controls).
        // (0: the server closed the connection without an answer, which accepts nothing.)
        neverAcceptedUnlessExpected:
          response.status === 0 ||
          response.status >= 300 ||
          statuses.some((s) => s >= 200 && s < 300),
        got: `${response.status} ${bearerError(response) ?? ''} ${response.error ?? ''}`.trim(),
      };
    });
    expect(
      answers.filter(
        (a) => !(a.statusOk && a.bearerOk && a.neverServerError && a.neverAcceptedUnlessExpected),
      ),
    ).toEqual([]);
  });

  it('never lets a jku or x5u header make a service contact the URL it names', () => {
    expect(ctx.listener.requests).toBe(0);
  });
});

describe('the token endpoint and the login', () => {
  const tokenRequest = (form: Record<string, string>) =>
    sendRawJson<{ error?: string }>(stack.gatewayUrl, '/auth/token', { form });

  it('refuses an access token presented as a refresh token with invalid_grant', async () => {
    const response = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: ctx.user.accessToken,
    });
    scenarios.push({
      id: 'grant-access-token-as-refresh-token',
      what: 'access token sent as refresh_token to POST /auth/token',
      reference: 'RFC 6749 §5.2 (invalid_grant); RFC 8725 §3.12',
      observed: `${response.status} ${response.body.error}`,
    });
    expect([response.status, response.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('revokes the whole session when a rotated refresh token is reused', async () => {
    const user = await createUser(stack, 'security-reuse');
    const rotated = await sendRawJson<{ access_token: string; refresh_token: string }>(
      stack.gatewayUrl,
      '/auth/token',
      { form: { grant_type: 'refresh_token', refresh_token: user.refreshToken } },
    );
    expect(rotated.status).toBe(200);
    const reuse = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
    });
    const successor = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: rotated.body.refresh_token,
    });
    // The access token of the revoked session is refused everywhere once the broadcast lands.
    await replicasSettle(
      resourceReplicas.map((replica) => async () => {
        const response = await sendRaw(replica.url, {
          path: PROBE_PATHS[replica.service as keyof typeof PROBE_PATHS],
          headers: [['authorization', `Bearer ${rotated.body.access_token}`]],
        });
        return response.status === 401 && bearerError(response) === 'invalid_token';
      }),
      'the reused session to be revoked on every replica',
    );
    scenarios.push({
      id: 'grant-refresh-token-reuse',
      what: 'refresh token used twice; then its successor; then the successor’s access token',
      reference: 'RFC 9700 §4.14.2 (refresh token rotation, reuse detection); RFC 6749 §10.4',
      observed: `reuse ${reuse.status} ${reuse.body.error}; successor ${successor.status} ${successor.body.error}; access token 401 invalid_token on every replica`,
    });
    expect([reuse.status, reuse.body.error]).toEqual([400, 'invalid_grant']);
    expect([successor.status, successor.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('throttles password guessing with 429 and Retry-After, also for the right password', async () => {
    const user = await createUser(stack, 'security-guessing');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await loginAttempt(user.email, `wrong-${i}-${randomUUID()}`)).status);
    }
    const throttled = await loginAttempt(user.email, 'wrong-again');
    const rightPassword = await loginAttempt(user.email, user.password);
    scenarios.push({
      id: 'login-password-guessing',
      what: '5 wrong passwords, a 6th, then the right one',
      reference: 'OWASP Authentication cheat sheet (account lockout / throttling); RFC 6585 §4',
      observed: `${statuses.join(', ')}; then ${throttled.status} (Retry-After ${throttled.headers['retry-after']} s); right password ${rightPassword.status}`,
    });
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(rightPassword.status).toBe(429);
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const user = await createUser(stack, 'security-enumeration');
    const unknown = await loginAttempt(`nobody-${randomUUID()}@example.com`, user.password);
    const wrong = await loginAttempt(user.email, `${user.password}-wrong`);
    const comparable = (response: Awaited<ReturnType<typeof loginAttempt>>) => ({
      status: response.status,
      body: response.body,
      contentType: response.headers['content-type'],
      wwwAuthenticate: response.headers['www-authenticate'],
    });
    scenarios.push({
      id: 'login-user-enumeration',
      what: 'unknown e-mail vs known e-mail with a wrong password',
      reference: 'OWASP Authentication cheat sheet (generic error messages)',
      observed: `${unknown.status} vs ${wrong.status}, bodies ${JSON.stringify(comparable(unknown)) === JSON.stringify(comparable(wrong)) ? 'identical' : 'DIFFERENT'}`,
    });
    expect(unknown.status).toBe(401);
    expect(comparable(unknown)).toEqual(comparable(wrong));
  });

  it('throttles sign-ups per client address, whatever X-Forwarded-For the client forges', async () => {
    // From a loopback address of its own, so that no other test's sign-ups count against it.
    const limit = stack.throttles.registrationsPerAddress;
    const signUp = (i: number) =>
      sendRawJson(stack.gatewayUrl, '/auth/register', {
        json: { email: `signup-${i}-${randomUUID()}@example.com`, password: `Pw-${randomUUID()}` },
        headers: [['x-forwarded-for', `198.51.100.${i % 250}`]],
        localAddress: '127.0.0.2',
      });
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await signUp(i)).status);
    const throttled = await signUp(limit);
    const otherClient = await createUser(stack, 'security-signup-other-address');
    scenarios.push({
      id: 'signup-flood-forged-forwarded-for',
      what: `${limit} sign-ups from one address through the gateway, each with another forged X-Forwarded-For, then one more; then a sign-up from another address`,
      reference: 'OWASP Automated Threats OAT-019 (account creation); RFC 6585 §4; RFC 7239 §7.4',
      observed: `${limit} x ${[...new Set(statuses)].join('/')}; then ${throttled.status} ${(throttled.body as { type?: string }).type?.split('#')[1]} (Retry-After ${throttled.headers['retry-after']} s); other address 201`,
    });
    expect(statuses).toEqual(Array(limit).fill(201));
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(otherClient.accessToken).toBeTruthy();
  });

  it('ignores X-Forwarded-For from a peer that is not the gateway', async () => {
    // Straight at the auth replica from 127.0.0.3: the replica trusts only the gateway
    // (TRUSTED_PROXIES=127.0.0.1), so each forged header names nobody and 127.0.0.3 is counted.
    const [auth] = replicasOf(stack, 'auth');
    const limit = stack.throttles.registrationsPerAddress;
    const signUp = (i: number) =>
      sendRawJson(auth!.url, '/register', {
        json: { email: `direct-${i}-${randomUUID()}@example.com`, password: `Pw-${randomUUID()}` },
        headers: [['x-forwarded-for', `203.0.113.${i % 250}`]],
        localAddress: '127.0.0.3',
      });
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await signUp(i)).status);
    scenarios.push({
      id: 'forwarded-for-from-untrusted-peer',
      what: `${limit + 1} sign-ups straight at the auth replica from a non-gateway address, each with another forged X-Forwarded-For`,
      reference: 'RFC 7239 §8.3 (forged headers); Express trust proxy',
      observed: `${statuses.filter((status) => status === 201).length} x 201, then ${statuses.at(-1)}`,
    });
    expect(statuses).toEqual([...Array(limit).fill(201), 429]);
  });

  it('throttles failed client authentication per client id with 429 slow_down', async () => {
    const { clientFailures } = stack.throttles;
    const attempt = () =>
      sendRawJson<{ error?: string }>(stack.gatewayUrl, '/auth/token', {
        form: { grant_type: 'client_credentials' },
        headers: [
          [
            'authorization',
            `Basic ${Buffer.from(`orders-service:wrong-${randomUUID()}`).toString('base64')}`,
          ],
        ],
      });
    const statuses: number[] = [];
    for (let i = 0; i < clientFailures; i++) statuses.push((await attempt()).status);
    const throttled = await attempt();
    scenarios.push({
      id: 'client-secret-guessing',
      what: `${clientFailures} wrong secrets for a real client id at the token endpoint, then one more`,
      reference: 'RFC 6749 §10.10 (credential guessing); RFC 6749 §5.2; RFC 8628 §3.5 (slow_down)',
      observed: `${statuses.join(', ')}; then ${throttled.status} ${throttled.body.error} (Retry-After ${throttled.headers['retry-after']} s)`,
    });
    expect(statuses).toEqual(Array(clientFailures).fill(401));
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe('slow_down');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(
      stack.throttles.clientFailureWindowSeconds,
    );
  });

  async function loginAttempt(email: string, password: string) {
    const response = await sendRaw(stack.gatewayUrl, {
      method: 'POST',
      path: '/auth/login',
      headers: [['content-type', 'application/json']],
      body: JSON.stringify({ email, password }),
    });
    // Request ids differ per request by design; everything else must match.
    const body = JSON.parse(response.body || 'null') as Record<string, unknown> | null;
    if (body && typeof body === 'object') {
      delete body.instance;
      delete body.requestId;
    }
    return { status: response.status, headers: response.headers, body };
  }
});

describe('a flood of tokens with random kids', () => {
  const FLOOD = 1000;
  /** Forged requests per second, spread over the replicas: an attack, not a saturation test. */
  const RATE = 500;

  it('makes at most one JWKS fetch per cooldown per replica, and valid requests keep working', async () => {
    const valid = async (i: number) => {
      const replica = resourceReplicas[i % resourceReplicas.length]!;
      return sendRaw(replica.url, {
        path: PROBE_PATHS[replica.service as keyof typeof PROBE_PATHS],
        headers: [['authorization', `Bearer ${ctx.user.accessToken}`]],
      });
    };
    /** Sends `tokens` at RATE per second over the replicas while one client sends valid ones. */
    const flood = async (tokens: string[]) => {
      let flooding = true;
      const during: Array<{ status: number; elapsedMs: number }> = [];
      const validLoop = (async () => {
        for (let i = 0; flooding; i++) during.push(await valid(i));
      })();
      const started = performance.now();
      const responses = await Promise.all(
        tokens.map(async (token, i) => {
          const due = started + (i * 1000) / RATE;
          await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
          const replica = resourceReplicas[i % resourceReplicas.length]!;
          return sendRaw(replica.url, {
            path: PROBE_PATHS[replica.service as keyof typeof PROBE_PATHS],
            headers: [['authorization', `Bearer ${token}`]],
          });
        }),
      );
      flooding = false;
      await validLoop;
      const refused = responses.filter(
        (r) => r.status === 401 && bearerError(r) === 'invalid_token',
      ).length;
      return { refused, during };
    };
    // Random kids, and as control as many forged tokens naming our real kid: each of those costs
    // a full RSA verification but never a key lookup. Alternated, twice, so neither goes first.
    const forgedWith = (kid: () => string) =>
      Array.from({ length: FLOOD }, () =>
        ctx.mint({}, { key: { ...ctx.attackerKeyWithOurKid, kid: kid() } }),
      );
    const ourKid = ctx.attackerKeyWithOurKid.kid;
    if (ourKid === undefined) throw new Error('attackerKeyWithOurKid has no kid');

    // Let the cooldown started by the earlier unknown-kid cases run out, so the flood itself
    // is what may trigger a fetch: exactly one per replica is the expected outcome.
    await new Promise((resolve) => setTimeout(resolve, stack.jwksCooldownSeconds * 1000 + 500));
    const windowStart = performance.now();
    const before = await Promise.all(
      resourceReplicas.map((replica) => jwksFetches(replica.operationsUrl)),
    );
    const baseline: number[] = [];
    for (let i = 0; i < 50; i++) baseline.push((await valid(i)).elapsedMs);
    const floods = { random: [] as FloodRun[], known: [] as FloodRun[] };
    for (let round = 0; round < 2; round++) {
      floods.random.push(await flood(forgedWith(() => randomUUID())));
      floods.known.push(await flood(forgedWith(() => ourKid)));
    }
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const after = await Promise.all(
      resourceReplicas.map((replica) => jwksFetches(replica.operationsUrl)),
    );

    const allowed = Math.floor(windowSeconds / stack.jwksCooldownSeconds) + 1;
    const deltas = resourceReplicas.map((replica, i) => ({
      replica: replica.name,
      fetches: after[i]! - before[i]!,
    }));
    const fetches = deltas.map((d) => `${d.replica} +${d.fetches}`).join(', ');
    const during = (runs: FloodRun[]) => runs.flatMap((run) => run.during);
    const p50 = (latencies: number[]) => median(latencies).toFixed(2);
    const [random, known] = [during(floods.random), during(floods.known)];
    const ms = (requests: Array<{ elapsedMs: number }>) => requests.map((r) => r.elapsedMs);

    scenarios.push({
      id: 'kid-flood',
      what: `2 × ${FLOOD} tokens with random kids, ${RATE} per second, spread over ${resourceReplicas.length} replicas`,
      reference: 'RFC 8725 §2.8 (denial of service); libs/auth JwksCache cooldown',
      observed: `${sum(floods.random.map((f) => f.refused))}/${2 * FLOOD} refused 401 invalid_token; JWKS fetches per replica ${fetches} (allowed ${allowed} in ${windowSeconds.toFixed(1)} s)`,
    });
    figures.push(
      `Random-kid flood: 2 × ${FLOOD} forged tokens with random kids at ${RATE} per second, alternated with as many forged tokens naming our real kid (each costing an RSA verification). JWKS fetches per replica over all of it: ${fetches} (cooldown ${stack.jwksCooldownSeconds} s).`,
      `Valid requests, median latency: ${p50(baseline)} ms alone (${baseline.length} requests); ${p50(ms(random))} ms during the random-kid floods (${random.length}); ${p50(ms(known))} ms during the known-kid floods (${known.length}). An unknown kid is refused without a fetch (the cooldown) and without a verification.`,
    );

    expect(sum([...floods.random, ...floods.known].map((f) => f.refused))).toBe(4 * FLOOD);
    expect(deltas.filter((d) => d.fetches < 1 || d.fetches > allowed)).toEqual([]);
    expect([...random, ...known].filter((r) => r.status !== 200)).toEqual([]);
  });
});

interface FloodRun {
  refused: number;
  during: Array<{ status: number; elapsedMs: number }>;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** `auth_jwks_fetches_total` of one replica's /metrics, on its operations listener. */
async function jwksFetches(replicaUrl: string): Promise<number> {
  const response = await sendRaw(replicaUrl, { path: '/metrics' });
  const match = /^auth_jwks_fetches_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/m.exec(response.body);
  if (!match) throw new Error(`no auth_jwks_fetches_total in ${replicaUrl}/metrics`);
  return Number(match[1]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
