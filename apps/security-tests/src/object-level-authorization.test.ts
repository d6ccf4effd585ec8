import { createUser, type TestUser } from './testing/attack-context';
import { replicasSettle, sendRawJson } from '@dja/stack-client';
import { replicasOf, securityStack, type ServiceName } from './testing/stack-info';

const stack = securityStack();

/** The gateway and every replica of `service`, each answering the same question. */
const everywhere = (service: ServiceName) => [
  { via: 'gateway', url: stack.gatewayUrl },
  ...replicasOf(stack, service).map((replica) => ({ via: replica.name, url: replica.url })),
];

interface Order {
  id: string;
}

let alice: TestUser;
let bob: TestUser;
let bobsOrder: Order;
let alicesOrder: Order;

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    createUser(stack, 'security-alice'),
    createUser(stack, 'security-bob'),
  ]);
  const create = (user: TestUser, sku: string) =>
    sendRawJson<Order>(stack.gatewayUrl, '/orders', {
      token: user.accessToken,
      json: { items: [{ sku, quantity: 1 }] },
    });
  const [a, b] = await Promise.all([create(alice, 'ALICE-1'), create(bob, 'BOB-1')]);
  expect([a.status, b.status]).toEqual([201, 201]);
  alicesOrder = a.body;
  bobsOrder = b.body;
  // Profiles and notifications come from events: wait until both users have theirs.
  await replicasSettle(
    [alice, bob].flatMap((user) => [
      async () =>
        (await sendRawJson(stack.gatewayUrl, '/profile/me', { token: user.accessToken })).status ===
        200,
      async () => {
        const list = await sendRawJson<{ items: Array<{ orderId: string | null }> }>(
          stack.gatewayUrl,
          '/notifications',
          { token: user.accessToken },
        );
        return list.status === 200 && list.body.items.some((item) => item.orderId !== null);
      },
    ]),
    'profiles and order confirmations of both users',
  );
});

describe("one user's token never reaches another user's data", () => {
  it.each(everywhere('orders'))(
    "GET /orders/:id of Bob's order with Alice's token is 404 ($via)",
    async ({ url }) => {
      const response = await sendRawJson(url, `/orders/${bobsOrder.id}`, {
        token: alice.accessToken,
      });
      expect(response.status).toBe(404);
      const own = await sendRawJson<Order>(url, `/orders/${alicesOrder.id}`, {
        token: alice.accessToken,
      });
      expect([own.status, own.body.id]).toEqual([200, alicesOrder.id]);
    },
  );

  it.each(everywhere('orders'))("GET /orders lists only Alice's orders ($via)", async ({ url }) => {
    const response = await sendRawJson<{ items: Order[] }>(url, '/orders', {
      token: alice.accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.items.map((order) => order.id)).toEqual([alicesOrder.id]);
  });

  it.each(everywhere('profile'))(
    "PUT /profile/me cannot be aimed at Bob's profile ($via)",
    async ({ url }) => {
      const before = await sendRawJson<Record<string, unknown>>(url, '/profile/me', {
        token: bob.accessToken,
      });
      const aimed = await sendRawJson(url, '/profile/me', {
        method: 'PUT',
        token: alice.accessToken,
        json: { displayName: 'Mallory', userId: bob.id, email: bob.email },
      });
      expect(aimed.status).toBe(400);
      const plain = await sendRawJson<{ userId: string }>(url, '/profile/me', {
        method: 'PUT',
        token: alice.accessToken,
        json: { displayName: 'Alice' },
      });
      expect([plain.status, plain.body.userId]).toEqual([200, alice.id]);
      const after = await sendRawJson<Record<string, unknown>>(url, '/profile/me', {
        token: bob.accessToken,
      });
      expect(after.body).toEqual(before.body);
    },
  );

  it.each(everywhere('profile'))(
    "GET /profiles/:Bob with Alice's user token is 403 ($via)",
    async ({ url }) => {
      const response = await sendRawJson(url, `/profiles/${bob.id}`, { token: alice.accessToken });
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    },
  );

  it.each(everywhere('notifications'))(
    "GET /notifications lists only Alice's ($via)",
    async ({ url }) => {
      const response = await sendRawJson<{
        items: Array<{ recipientEmail: string; orderId: string | null }>;
      }>(url, '/notifications', { token: alice.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeGreaterThan(0);
      expect(response.body.items.filter((item) => item.recipientEmail !== alice.email)).toEqual([]);
      expect(response.body.items.some((item) => item.orderId === bobsOrder.id)).toBe(false);
    },
  );
});
