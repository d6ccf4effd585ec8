// Faults on a stack of this file's own (the shared one must stay whole for the other files):
// replicas and the auth service stopped, killed and started again.
import { type Stack, startStack } from '@dja/stack';
import { waitFor } from '@dja/test-infra';
import { ApiClient, registerAndLogIn, request } from '@dja/stack-client';
import { describeStack, type StackInfo } from './support/stack-info';
import {
  expectAcceptedEverywhere,
  expectRefusedEverywhere,
  isInvalidTokenRefusal,
} from './support/token-checks';

let stack: Stack;
let info: StackInfo;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack({
    port: 0,
    env: process.env,
    replicas: { auth: 1, orders: 2, profile: 1, notifications: 1 },
  });
  info = describeStack(stack);
  api = new ApiClient(stack.gatewayUrl);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

/** Every replica of this stack running again, whatever a test did to it. */
async function restartStopped(): Promise<void> {
  for (const replica of stack.replicas) if (!replica.isRunning()) await replica.start();
}

afterEach(restartStopped);

it('refuses a token at a replica started after its session was logged out', async () => {
  const user = await registerAndLogIn(api);
  await expectAcceptedEverywhere(info, user.tokens.access_token);
  const [late, running] = stack.replicasOf('orders') as [
    Stack['replicas'][number],
    Stack['replicas'][number],
  ];

  await late.stop();
  await api.logout(user.tokens.access_token);
  await waitFor(
    async () =>
      isInvalidTokenRefusal(
        await request(`${running.url}/orders`, { token: user.tokens.access_token }),
      ),
    { timeoutMs: 20_000, intervalMs: 200, description: 'the running replica to refuse the token' },
  );
  await late.start();

  // Ready means it loaded the revocations in force: no wait for the broker here.
  const answer = await request(`${late.url}/orders`, { token: user.tokens.access_token });
  expect(answer.status).toBe(401);
  expect(isInvalidTokenRefusal(answer)).toBe(true);
  await expectRefusedEverywhere(info, user.tokens.access_token);
});

it('keeps accepting valid tokens while auth-service is down, refuses logins, and logs in again once it is back', async () => {
  const user = await registerAndLogIn(api);
  await expectAcceptedEverywhere(info, user.tokens.access_token);

  await Promise.all(stack.replicasOf('auth').map((replica) => replica.stop()));

  for (const path of ['/orders', '/profile/me']) {
    const response = await api.call(path, { token: user.tokens.access_token });
    expect(`${path} ${response.status}`).toBe(`${path} 200`);
  }
  for (const service of ['orders', 'profile'] as const) {
    for (const replica of stack.replicasOf(service)) {
      const path = service === 'orders' ? '/orders' : '/profile/me';
      const response = await request(`${replica.url}${path}`, { token: user.tokens.access_token });
      expect(`${replica.name} ${response.status}`).toBe(`${replica.name} 200`);
    }
  }
  const created = await api.call('/orders', {
    token: user.tokens.access_token,
    json: { items: [{ sku: 'WHILE-AUTH-DOWN', quantity: 1 }] },
  });
  expect(created.status).toBe(201);
  const login = await api.tryLogin(user);
  expect([502, 503, 504]).toContain(login.status);

  await Promise.all(stack.replicasOf('auth').map((replica) => replica.start()));

  const back = await waitFor(
    async () => {
      const response = await api.tryLogin(user);
      return response.status === 200 ? response : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'logins to work again' },
  );
  expect(back.body).toMatchObject({ access_token: expect.any(String) });
});

it('keeps answering through the gateway after one orders replica is killed', async () => {
  const user = await registerAndLogIn(api);
  await expectAcceptedEverywhere(info, user.tokens.access_token);
  const [victim] = stack.replicasOf('orders') as [Stack['replicas'][number]];

  await victim.kill();
  expect(victim.isRunning()).toBe(false);

  const answers: string[] = [];
  for (let i = 0; i < 30; i++) {
    const response = await api.call('/orders', { token: user.tokens.access_token });
    answers.push(`${response.status} ${response.servedBy}`);
  }
  expect(answers.filter((answer) => !answer.startsWith('200 '))).toEqual([]);
  expect(answers.some((answer) => answer.endsWith(victim.name))).toBe(false);
});
