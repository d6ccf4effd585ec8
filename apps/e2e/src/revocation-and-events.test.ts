// Services and events on the shared stack: revocations broadcast to every replica, the
// service-to-service call behind notifications, and data kept per user across services.
import { waitFor } from '@dja/test-infra';
import { ApiClient, jwtClaims, registerAndLogIn, type TestUser } from '@dja/stack-client';
import { sharedStack, type StackInfo } from './support/stack-info';
import { expectAcceptedEverywhere, expectRefusedEverywhere } from './support/token-checks';

let stack: StackInfo;
let api: ApiClient;

beforeAll(() => {
  stack = sharedStack();
  api = new ApiClient(stack.gatewayUrl);
});

interface Order {
  id: string;
  items: Array<{ sku: string; quantity: number }>;
}

async function createOrder(user: TestUser, sku = 'BOOK-1'): Promise<Order> {
  const created = await api.call<Order>('/orders', {
    token: user.tokens.access_token,
    json: { items: [{ sku, quantity: 2 }] },
  });
  expect(created.status).toBe(201);
  return created.body;
}

describe('revocation', () => {
  it("refuses a logged-out session's access token at every replica of every resource service, and a second login works", async () => {
    const user = await registerAndLogIn(api);
    await expectAcceptedEverywhere(stack, user.tokens.access_token);

    await api.logout(user.tokens.access_token);

    await expectRefusedEverywhere(stack, user.tokens.access_token, { eventually: true });
    const again = await api.login(user);
    await expectAcceptedEverywhere(stack, again.access_token);
  });

  async function suspend(user: TestUser, adminToken: string): Promise<number> {
    const suspended = await api.call<{ suspended: boolean; suspendedAt: string }>(
      `/auth/admin/users/${user.id}/suspend`,
      { method: 'POST', token: adminToken },
    );
    expect(suspended.status).toBe(200);
    expect(suspended.body.suspended).toBe(true);
    return Math.floor(Date.parse(suspended.body.suspendedAt) / 1000);
  }

  async function unsuspend(user: TestUser, adminToken: string): Promise<void> {
    const unsuspended = await api.call<{ suspended: boolean }>(
      `/auth/admin/users/${user.id}/unsuspend`,
      { method: 'POST', token: adminToken },
    );
    expect(unsuspended.status).toBe(200);
    expect(unsuspended.body.suspended).toBe(false);
  }

  it("refuses a suspended user's tokens everywhere and their logins, and unsuspension restores access for new tokens only", async () => {
    const user = await registerAndLogIn(api);
    await expectAcceptedEverywhere(stack, user.tokens.access_token);
    expect(jwtClaims(user.tokens.access_token).sub).toBe(user.id);
    const admin = await api.login(stack.admin);

    const suspendedSecond = await suspend(user, admin.access_token);

    await expectRefusedEverywhere(stack, user.tokens.access_token, { eventually: true });
    const refusedLogin = await api.tryLogin(user);
    expect(refusedLogin.status).toBe(403);
    expect(JSON.stringify(refusedLogin.body)).toContain('account_suspended');
    const refusedRefresh = await api.refresh(user.tokens.refresh_token);
    expect(refusedRefresh.status).toBe(400);
    expect(refusedRefresh.body).toMatchObject({ error: 'invalid_grant' });

    // `iat` has one-second resolution; a token issued in the suspension's own second is the
    // subject of the next test. Here the new login comes at least one second later.
    await waitFor(() => Date.now() >= (suspendedSecond + 1) * 1000, {
      timeoutMs: 5_000,
      intervalMs: 50,
      description: 'the second after the suspension',
    });
    await unsuspend(user, admin.access_token);

    const fresh = await api.login(user);
    expect(jwtClaims(fresh.access_token).iat).toBeGreaterThan(suspendedSecond);
    await expectAcceptedEverywhere(stack, fresh.access_token);
    await expectRefusedEverywhere(stack, user.tokens.access_token);
    expect((await api.refresh(user.tokens.refresh_token)).status).toBe(400);
  });

  it('accepts a token issued after an unsuspension that came in the same second as the suspension', async () => {
    const admin = await api.login(stack.admin);
    // Reaching "same second" needs suspend, unsuspend and login within one wall-clock second;
    // start each try at the top of a second and retry a few times if the machine was slower.
    let fresh: { tokens: TestUser['tokens']; suspendedSecond: number } | undefined;
    for (let attempt = 0; attempt < 5 && !fresh; attempt++) {
      const user = await registerAndLogIn(api);
      await waitFor(() => Date.now() % 1000 < 100, { timeoutMs: 2_000, intervalMs: 5 });
      const suspendedSecond = await suspend(user, admin.access_token);
      await unsuspend(user, admin.access_token);
      const tokens = await api.login(user);
      // Same machine, same clock: the login answered within the suspension's second.
      if (Math.floor(Date.now() / 1000) === suspendedSecond) fresh = { tokens, suspendedSecond };
    }
    expect(fresh).toBeDefined();
    // `iat` has one-second resolution and verifiers refuse `iat <= revokedBefore`: the issuer
    // dates such a token one second after the suspension instead.
    expect(jwtClaims(fresh!.tokens.access_token).iat).toBe(fresh!.suspendedSecond + 1);

    // The suspension is over: a token the auth service issues now must work everywhere.
    await expectAcceptedEverywhere(stack, fresh!.tokens.access_token);
  });
});

describe('events between services', () => {
  it('addresses the notification for an order with the display name profile-service gave notifications-service', async () => {
    const ada = await registerAndLogIn(api, 'Ada');
    const order = await createOrder(ada);

    const notification = await waitFor(
      async () => {
        const list = await api.call<{
          items: Array<{ kind: string; body: string; orderId: string | null }>;
        }>('/notifications', { token: ada.tokens.access_token });
        return list.body.items?.find((item) => item.orderId === order.id);
      },
      { timeoutMs: 60_000, intervalMs: 300, description: 'the order confirmation' },
    );
    expect(notification.kind).toBe('order_confirmation');
    expect(notification.body).toContain('Ada');
    expect(notification.body).not.toContain('Hi there');
  });
});

describe('events published before their consumer first started', () => {
  it('gives the admin, seeded at auth-service’s first start, a profile and a welcome notification', async () => {
    // auth-service seeds the admin before profile-service and notifications-service have ever
    // run: their durable queues are declared by the publisher too (WORK_QUEUES), so the
    // `user.registered` event waited for them instead of being dropped.
    const admin = await api.login(stack.admin);
    const token = admin.access_token;
    await waitFor(async () => (await api.call('/profile/me', { token })).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'the seeded admin’s profile',
    });
    const welcome = await waitFor(
      async () => {
        const list = await api.call<{ items: Array<{ kind: string }> }>('/notifications', {
          token,
        });
        return list.body.items?.find((item) => item.kind === 'welcome');
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'the seeded admin’s welcome' },
    );
    expect(welcome.kind).toBe('welcome');
  });
});

describe('isolation between users', () => {
  it("keeps two users from seeing or changing each other's data across services", async () => {
    const [alice, bob] = await Promise.all([
      registerAndLogIn(api, 'Alice'),
      registerAndLogIn(api, 'Bob'),
    ]);
    const aliceOrder = await createOrder(alice, 'ALICE-1');
    const bobOrder = await createOrder(bob, 'BOB-1');

    // Orders: another user's order is indistinguishable from one that does not exist.
    expect(
      (await api.call(`/orders/${aliceOrder.id}`, { token: bob.tokens.access_token })).status,
    ).toBe(404);
    expect(
      (await api.call(`/orders/${bobOrder.id}`, { token: alice.tokens.access_token })).status,
    ).toBe(404);
    expect(
      (await api.call(`/orders/${aliceOrder.id}`, { token: alice.tokens.access_token })).status,
    ).toBe(200);
    const aliceList = await api.call<{ items: Order[] }>('/orders', {
      token: alice.tokens.access_token,
    });
    const bobList = await api.call<{ items: Order[] }>('/orders', {
      token: bob.tokens.access_token,
    });
    expect(aliceList.body.items.map((o) => o.id)).toEqual([aliceOrder.id]);
    expect(bobList.body.items.map((o) => o.id)).toEqual([bobOrder.id]);

    // Profiles: each edits only their own; the other's is untouched.
    await expectAcceptedEverywhere(stack, alice.tokens.access_token);
    await expectAcceptedEverywhere(stack, bob.tokens.access_token);
    const edited = await api.call('/profile/me', {
      method: 'PUT',
      token: bob.tokens.access_token,
      json: { displayName: 'Bob the Builder' },
    });
    expect(edited.status).toBe(200);
    const aliceProfile = await api.call<{ userId: string; displayName: string }>('/profile/me', {
      token: alice.tokens.access_token,
    });
    expect(aliceProfile.body).toMatchObject({ userId: alice.id, displayName: 'Alice' });
    // The service-only lookup of any profile is not open to a user token.
    expect(
      (await api.call(`/profiles/${alice.id}`, { token: bob.tokens.access_token })).status,
    ).toBe(403);

    // Notifications: each sees only their own (welcome and order confirmation).
    await waitFor(
      async () => {
        const list = await api.call<{ items: Array<{ orderId: string | null }> }>(
          '/notifications',
          {
            token: alice.tokens.access_token,
          },
        );
        return list.body.items?.some((item) => item.orderId === aliceOrder.id);
      },
      { timeoutMs: 60_000, intervalMs: 300, description: "Alice's order confirmation" },
    );
    const aliceNotifications = await api.call<{
      items: Array<{ orderId: string | null; recipientEmail: string }>;
    }>('/notifications', { token: alice.tokens.access_token });
    expect(aliceNotifications.body.items.length).toBeGreaterThan(0);
    for (const item of aliceNotifications.body.items) {
      expect(item.recipientEmail).toBe(alice.email);
      expect(item.orderId).not.toBe(bobOrder.id);
    }
  });
});
