// A leaked signing key withdrawn on the shared stack. The global setup gave auth-service its key
// through SIGNING_KEY_FILE, so this file holds what an attacker would hold. Each test withdraws the
// key signing at the time; the stack carries on with its successor, as a deployment would.
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { waitFor } from '@dja/test-infra';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import {
  ApiClient,
  type ApiResponse,
  jwtClaims,
  registerAndLogIn,
  request,
  type TokenSet,
} from '@dja/stack-client';
import { StackControl } from './support/stack-control';
import {
  RESOURCE_PROBES,
  replicasOf,
  sharedStack,
  type SharedStackInfo,
} from './support/stack-info';
import { callEveryResourceReplica, expectAcceptedEverywhere } from './support/token-checks';

let stack: SharedStackInfo;
let api: ApiClient;
let control: StackControl;

beforeAll(() => {
  stack = sharedStack();
  api = new ApiClient(stack.gatewayUrl);
  control = new StackControl(stack.controlUrl);
});

const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

const withdrawnChallenge = (response: ApiResponse): boolean =>
  /error="invalid_token".*has been withdrawn/.test(response.headers.get('www-authenticate') ?? '');

interface Withdrawal {
  kid: string;
  activeKid: string;
  withdrawnAt: string;
  withdrawnBy: string;
}

async function withdraw(kid: string, adminToken: string): Promise<Withdrawal> {
  const response = await api.call<Withdrawal>(`/auth/admin/keys/${kid}/withdraw`, {
    method: 'POST',
    token: adminToken,
  });
  expect(response.status).toBe(200);
  expect(response.body.kid).toBe(kid);
  expect(response.body.activeKid).not.toBe(kid);
  return response.body;
}

/**
 * Every replica of every resource service refuses `token` because its key was withdrawn (not
 * merely unknown), waiting a bounded time for the event to reach them all first.
 */
async function expectWithdrawnEverywhere(token: string): Promise<void> {
  const refusedEverywhere = async () =>
    (await callEveryResourceReplica(stack, token)).every(({ response }) =>
      withdrawnChallenge(response),
    );
  await waitFor(refusedEverywhere, {
    timeoutMs: 20_000,
    intervalMs: 100,
    description: 'every replica to refuse the withdrawn key',
  }).catch(() => undefined);
  const answers = await callEveryResourceReplica(stack, token);
  expect(
    answers.map(({ replica, response }) => `${replica} ${withdrawnChallenge(response)}`),
  ).toEqual(resourceReplicas().map(({ name }) => `${name} true`));
}

const resourceReplicas = () => RESOURCE_PROBES.flatMap(({ service }) => replicasOf(stack, service));

/** `auth_jwks_withdrawn_keys` of every resource replica: kids it learnt from events or snapshots. */
async function withdrawnKeyCounts(): Promise<Record<string, number>> {
  const counts = await Promise.all(
    resourceReplicas().map(async ({ name, operationsUrl }) => {
      const text = await (await fetch(`${operationsUrl}/metrics`)).text();
      const value = /^auth_jwks_withdrawn_keys (\d+)$/m.exec(text)?.[1];
      return [name, Number(value)] as const;
    }),
  );
  return Object.fromEntries(counts);
}

/**
 * A client like the console, calling each resource service in turn with its access token and
 * with a forged one; on a 401 it refreshes once and carries on with the new token.
 */
function steadyClient(session: TokenSet, forged: string) {
  const answers: Array<{ status: number; kid: string }> = [];
  const refreshes: number[] = [];
  let tokens = session;
  let running = true;
  const call = async (path: string, token: string) => {
    const { status } = await request(`${stack.gatewayUrl}${path}`, { token });
    answers.push({ status, kid: kidOf(token) });
    return status;
  };
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const { path } = RESOURCE_PROBES[i % RESOURCE_PROBES.length]!;
      const [status] = await Promise.all([call(path, tokens.access_token), call(path, forged)]);
      if (status !== 401) continue;
      const refreshed = await api.refresh(tokens.refresh_token);
      refreshes.push(refreshed.status);
      if (refreshed.status === 200) tokens = refreshed.body as TokenSet;
    }
  })();
  return {
    tokens: () => tokens,
    async stop() {
      running = false;
      await loop;
      return { answers, refreshes };
    },
  };
}

it('refuses tokens of the withdrawn key, forged ones too, at every replica that had them cached; one refresh restores access, and steady load sees no 5xx and 401 only for those tokens', async () => {
  const pem = await readFile(stack.signingKeyFile, 'utf8');
  const leakedKey = createPrivateKey(pem);
  const leakedKid = await calculateJwkThumbprint(await exportJWK(leakedKey));
  const user = await registerAndLogIn(api);
  const admin = await api.login(stack.admin);
  expect(kidOf(user.tokens.access_token)).toBe(leakedKid);
  // What an attacker mints with the stolen key: nothing tells it apart from a token we issued.
  const forged = await new SignJWT({ ...jwtClaims(user.tokens.access_token), jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: leakedKid })
    .sign(leakedKey);
  // Both now sit in every replica's verified-token cache.
  await expectAcceptedEverywhere(stack, user.tokens.access_token);
  await expectAcceptedEverywhere(stack, forged);

  const client = steadyClient(user.tokens, forged);
  const withdrawal = await withdraw(leakedKid, admin.access_token);
  expect(withdrawal.withdrawnBy).toBe(jwtClaims(admin.access_token).sub);

  await expectWithdrawnEverywhere(user.tokens.access_token);
  await expectWithdrawnEverywhere(forged);
  await waitFor(() => client.tokens() !== user.tokens, {
    timeoutMs: 20_000,
    description: 'the client to refresh after its 401',
  });
  expect(kidOf(client.tokens().access_token)).toBe(withdrawal.activeKid);
  await expectAcceptedEverywhere(stack, client.tokens().access_token);

  const { answers, refreshes } = await client.stop();
  expect(refreshes).toEqual([200]);
  expect(answers.filter(({ status }) => status >= 500)).toEqual([]);
  expect(answers.filter(({ status, kid }) => status === 401 && kid !== leakedKid)).toEqual([]);
  expect(answers.some(({ status, kid }) => status === 401 && kid === leakedKid)).toBe(true);
  expect(answers.some(({ status, kid }) => status === 200 && kid === withdrawal.activeKid)).toBe(
    true,
  );
});

it('refuses a withdrawn kid at a replica that was stopped during the withdrawal as soon as it is ready again', async () => {
  const user = await registerAndLogIn(api);
  const admin = await api.login(stack.admin);
  await expectAcceptedEverywhere(stack, user.tokens.access_token);
  const [stopped] = replicasOf(stack, 'orders');

  await control.stopReplica(stopped!.name);
  try {
    await withdraw(kidOf(user.tokens.access_token), admin.access_token);
  } finally {
    await control.startReplica(stopped!.name);
  }

  // Ready means it loaded the snapshot, withdrawn kids included: no wait for the broker here.
  const answer = await request(`${stopped!.url}/orders`, { token: user.tokens.access_token });
  expect(`${answer.status} ${withdrawnChallenge(answer)}`).toBe('401 true');
});

it('delays the broadcast while the broker is down but loses nothing: once it is back every replica refuses the kid, and a refresh works', async () => {
  const user = await registerAndLogIn(api);
  const admin = await api.login(stack.admin);
  await expectAcceptedEverywhere(stack, user.tokens.access_token);
  const before = await withdrawnKeyCounts();

  await control.stopBroker();
  try {
    // The withdrawal commits and its event waits in the outbox: no replica has heard of it yet.
    await withdraw(kidOf(user.tokens.access_token), admin.access_token);
    expect(await withdrawnKeyCounts()).toEqual(before);
  } finally {
    await control.startBroker();
  }

  await expectWithdrawnEverywhere(user.tokens.access_token);
  const after = Object.fromEntries(Object.entries(before).map(([name, n]) => [name, n + 1]));
  expect(await withdrawnKeyCounts()).toEqual(after);
  const refreshed = await api.refresh(user.tokens.refresh_token);
  expect(refreshed.status).toBe(200);
  await expectAcceptedEverywhere(stack, (refreshed.body as TokenSet).access_token);
});
