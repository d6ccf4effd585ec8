/**
 * npm run bench -- revocation: how long a logged-out access token stays usable.
 *
 * Against the local stack (default replicas), for each of LOGOUTS sessions: the token is first
 * used once at every replica of every resource service (so each has it in its verified-token
 * cache, the hardest case), then POST /auth/logout goes through the gateway, and from the moment
 * its 2xx arrives every replica is polled directly until it answers 401. The figure per logout
 * is the time until the last replica refused; p50 and p99 over all logouts are reported.
 *
 * Then, on the same stack and with the same polling, DRILLS key-withdrawal drills: a user's token
 * (signed with the active key) is used once at every replica, an admin calls
 * POST /auth/admin/keys/{kid}/withdraw through the gateway, and from its 200 every replica is
 * polled until it refuses the token. Then the user and the admin refresh (no new login), get
 * tokens signed with the new key, which every replica must accept, and the next drill withdraws
 * that key.
 */
import { type Replica, startStack, type Stack } from '@dja/stack';
import { ApiClient, type Credentials, jwtHeader, probe, type TokenSet } from '@dja/stack-client';
import { type BenchmarkResult, figure, runBenchmark } from '../src/benchmark';

const LOGOUTS = Number(process.env.LOGOUTS ?? 200);
const DRILLS = Number(process.env.DRILLS ?? 200);
const SESSIONS_PER_USER = 20;
const TARGET_P99_MS = 50;

const PROBES: Record<string, string> = {
  'orders-service': '/orders?limit=1',
  'profile-service': '/profile/me',
  'notifications-service': '/notifications?limit=1',
};

const probeStatus = async (replica: Replica, token: string) =>
  (await probe(`${replica.url}${PROBES[replica.spec.app]}`, token)).status;

/** Milliseconds from `since` until `replica` first refuses `token`. */
async function timeToRefusal(replica: Replica, token: string, since: number): Promise<number> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const status = await probeStatus(replica, token);
    if (status === 401) return performance.now() - since;
    if (status !== 200) throw new Error(`${replica.name} answered ${status}`);
  }
  throw new Error(`${replica.name} never refused the token`);
}

/** The tokens of a successful refresh. */
async function refreshed(api: ApiClient, tokens: TokenSet): Promise<TokenSet> {
  const response = await api.refresh(tokens.refresh_token);
  if (response.status !== 200)
    throw new Error(`refresh answered ${response.status}: ${response.text}`);
  return response.body as TokenSet;
}

const kidOf = (token: string) => jwtHeader(token).kid as string;

/** Every replica serves `token` (a refreshed one may wait for the JWKS refetch to finish). */
async function acceptedEverywhere(replicas: Replica[], token: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    const answers = await Promise.all(replicas.map((replica) => probeStatus(replica, token)));
    if (answers.every((status) => status === 200)) return;
    if (tries > 100) throw new Error(`replicas answered ${answers.join(',')} to a fresh token`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Per drill: ms from the withdraw 200 to the last replica refusing, and the call itself. */
async function keyWithdrawalDrills(
  api: ApiClient,
  stack: Stack,
  replicas: Replica[],
  user: Credentials,
): Promise<{ worst: number[]; callMs: number[] }> {
  let holder = await api.login(user);
  let admin = await api.login(stack.admin);
  const worst: number[] = [];
  const callMs: number[] = [];
  for (let i = 0; i < DRILLS; i++) {
    const token = holder.access_token;
    const warm = await Promise.all(replicas.map((replica) => probeStatus(replica, token)));
    if (warm.some((status) => status !== 200))
      throw new Error(`warm-up answered ${warm.join(',')}`);

    const started = performance.now();
    const response = await api.call<{ activeKid: string }>(
      `/auth/admin/keys/${kidOf(token)}/withdraw`,
      { json: {}, token: admin.access_token },
    );
    if (response.status !== 200) throw new Error(`withdraw answered ${response.status}`);
    const { activeKid } = response.body;
    const withdrawn = performance.now();
    callMs.push(withdrawn - started);
    const times = await Promise.all(
      replicas.map((replica) => timeToRefusal(replica, token, withdrawn)),
    );
    worst.push(Math.max(...times));

    [holder, admin] = [await refreshed(api, holder), await refreshed(api, admin)];
    if (kidOf(holder.access_token) !== activeKid) throw new Error('refresh kept the old key');
    await acceptedEverywhere(replicas, holder.access_token);
    if ((i + 1) % 10 === 0) console.error(`… ${i + 1} key withdrawals`);
  }
  return { worst: worst.sort((a, b) => a - b), callMs: callMs.sort((a, b) => a - b) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (ms: number) => Math.round(ms * 100) / 100;

async function main(): Promise<BenchmarkResult> {
  console.error('starting the stack…');
  const stack = await startStack({ port: 0, onProgress: (m) => console.error(`… ${m}`) });
  try {
    const api = new ApiClient(stack.gatewayUrl);
    const replicas = stack.replicas.filter((r) => r.spec.app in PROBES);
    const password = 'benchmark password 1234';
    const users = Math.ceil(LOGOUTS / SESSIONS_PER_USER);
    for (let u = 0; u < users; u++) {
      await api.register({ email: `bench-${u}@example.com`, password, name: `Bench ${u}` });
    }
    const accessToken = async (email: string) =>
      (await api.login({ email, password })).access_token;
    // Profiles are created from user.registered; wait until the last one exists everywhere.
    const lastUser = await accessToken(`bench-${users - 1}@example.com`);
    for (
      let tries = 0;
      (await probeStatus(
        replicas.find((r) => r.spec.app === 'profile-service')!,
        lastUser,
      )) !== 200;
      tries++
    ) {
      if (tries > 200) throw new Error('profiles were not created');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const worst: number[] = [];
    const logoutMs: number[] = [];
    for (let i = 0; i < LOGOUTS; i++) {
      const token = await accessToken(`bench-${i % users}@example.com`);
      const warm = await Promise.all(replicas.map((replica) => probeStatus(replica, token)));
      if (warm.some((status) => status !== 200))
        throw new Error(`warm-up answered ${warm.join(',')}`);

      const started = performance.now();
      await api.logout(token);
      const loggedOut = performance.now();
      logoutMs.push(loggedOut - started);
      const times = await Promise.all(
        replicas.map((replica) => timeToRefusal(replica, token, loggedOut)),
      );
      worst.push(Math.max(...times));
      if ((i + 1) % 50 === 0) console.error(`… ${i + 1} logouts`);
    }

    worst.sort((a, b) => a - b);
    logoutMs.sort((a, b) => a - b);
    const drills = await keyWithdrawalDrills(api, stack, replicas, {
      email: `bench-0@example.com`,
      password,
    });
    const withdrawal = {
      drills: DRILLS,
      p50Ms: round(percentile(drills.worst, 50)),
      p99Ms: round(percentile(drills.worst, 99)),
      maxMs: round(drills.worst[drills.worst.length - 1]!),
      callP50Ms: round(percentile(drills.callMs, 50)),
      callP99Ms: round(percentile(drills.callMs, 99)),
    };
    const details = {
      keyWithdrawal: withdrawal,
      logouts: LOGOUTS,
      replicasChecked: replicas.length,
      p50Ms: round(percentile(worst, 50)),
      p99Ms: round(percentile(worst, 99)),
      maxMs: round(worst[worst.length - 1]!),
      logoutP50Ms: round(percentile(logoutMs, 50)),
      logoutP99Ms: round(percentile(logoutMs, 99)),
    };
    console.error(
      `logouts: ${LOGOUTS}, replicas polled per logout: ${replicas.length} (${replicas.map((r) => r.name).join(', ')})`,
    );
    console.error('| measure | p50 (ms) | p99 (ms) | max (ms) |');
    console.error('| --- | ---: | ---: | ---: |');
    console.error(
      `| logout 2xx → refused by every replica | ${details.p50Ms} | ${details.p99Ms} | ${details.maxMs} |`,
    );
    console.error(
      `| POST /auth/logout itself | ${details.logoutP50Ms} | ${details.logoutP99Ms} | ${round(logoutMs[logoutMs.length - 1]!)} |`,
    );
    console.error(
      `| key withdraw 200 → refused by every replica (${DRILLS} drills) | ${withdrawal.p50Ms} | ${withdrawal.p99Ms} | ${withdrawal.maxMs} |`,
    );
    console.error(
      `| POST /auth/admin/keys/{kid}/withdraw itself | ${withdrawal.callP50Ms} | ${withdrawal.callP99Ms} | ${round(drills.callMs[drills.callMs.length - 1]!)} |`,
    );
    return {
      benchmark: 'revocation',
      figures: [
        figure({
          key: 'p99Ms',
          label: `logout → refused by all ${replicas.length} replicas, p99`,
          value: details.p99Ms,
          unit: 'ms',
          target: { atMost: TARGET_P99_MS },
        }),
        figure({
          key: 'p50Ms',
          label: `logout → refused by all ${replicas.length} replicas, p50`,
          value: details.p50Ms,
          unit: 'ms',
        }),
        figure({
          key: 'keyWithdrawalP99Ms',
          label: `key withdrawn → its token refused by all ${replicas.length} replicas, p99`,
          value: withdrawal.p99Ms,
          unit: 'ms',
          target: { atMost: TARGET_P99_MS },
        }),
        figure({
          key: 'keyWithdrawalP50Ms',
          label: `key withdrawn → its token refused by all ${replicas.length} replicas, p50`,
          value: withdrawal.p50Ms,
          unit: 'ms',
        }),
        figure({
          key: 'keyWithdrawalMaxMs',
          label: `key withdrawn → its token refused by all ${replicas.length} replicas, max`,
          value: withdrawal.maxMs,
          unit: 'ms',
        }),
      ],
      details,
    };
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
