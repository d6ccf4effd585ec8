// The whole system through the nginx gateway, on the shared stack: balancing across replicas,
// local verification in every replica, and the token endpoint's refresh rotation.
import { ApiClient, registerAndLogIn, type TestUser } from '@dja/stack-client';
import { sharedStack, type StackInfo } from './support/stack-info';
import {
  expectAcceptedEverywhere,
  expectRefusedEverywhere,
  isInvalidTokenRefusal,
} from './support/token-checks';

let stack: StackInfo;
let api: ApiClient;

beforeAll(() => {
  stack = sharedStack();
  api = new ApiClient(stack.gatewayUrl);
});

/** The same token with one base64url character in the middle of its payload changed. */
function tamperWithPayload(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const middle = Math.floor(payload.length / 2);
  const changed = payload[middle] === 'A' ? 'B' : 'A';
  return [header, payload.slice(0, middle) + changed + payload.slice(middle + 1), signature].join(
    '.',
  );
}

describe('the gateway', () => {
  it('balances every service across more than one of its replicas', async () => {
    const user = await registerAndLogIn(api);
    await expectAcceptedEverywhere(stack, user.tokens.access_token);
    const token = user.tokens.access_token;
    const calls: Record<string, () => Promise<{ status: number; servedBy: string | null }>> = {
      auth: () => api.call('/auth/.well-known/jwks.json'),
      orders: () => api.call('/orders', { token }),
      profile: () => api.call('/profile/me', { token }),
      notifications: () => api.call('/notifications', { token }),
    };

    for (const [service, call] of Object.entries(calls)) {
      const servedBy = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const response = await call();
        expect(`${service} ${response.status}`).toBe(`${service} 200`);
        expect(response.servedBy).toMatch(new RegExp(`^${service}-service-\\d+$`));
        servedBy.add(response.servedBy!);
      }
      expect([service, servedBy.size > 1]).toEqual([service, true]);
    }
  });

  it('publishes only public RS256 signing keys at /auth/.well-known/jwks.json', async () => {
    const jwks = await api.call<{ keys: Array<Record<string, unknown>> }>(
      '/auth/.well-known/jwks.json',
    );
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    for (const key of jwks.body.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(typeof key.kid).toBe('string');
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        expect(key).not.toHaveProperty(privateMember);
      }
    }
  });

  it('does not expose /auth/internal/revocations publicly', async () => {
    const user = await registerAndLogIn(api);
    const response = await api.call('/auth/internal/revocations', {
      token: user.tokens.access_token,
    });
    expect(response.status).toBe(404);
    expect(response.servedBy).toBeNull();
  });
});

describe('local verification', () => {
  it('accepts the same token at every replica of every resource service', async () => {
    const user = await registerAndLogIn(api);
    await expectAcceptedEverywhere(stack, user.tokens.access_token);
    const orders = await api.call('/orders', {
      token: user.tokens.access_token,
      json: { items: [{ sku: 'PEN-1', quantity: 1 }] },
    });
    expect(orders.status).toBe(201);
  });

  it('refuses a token with one character of its payload changed at every replica', async () => {
    const user = await registerAndLogIn(api);
    await expectAcceptedEverywhere(stack, user.tokens.access_token);
    const tampered = tamperWithPayload(user.tokens.access_token);
    expect(tampered).not.toBe(user.tokens.access_token);

    await expectRefusedEverywhere(stack, tampered);
    const throughGateway = await api.call('/orders', { token: tampered });
    expect(isInvalidTokenRefusal(throughGateway)).toBe(true);
  });
});

describe('refresh tokens', () => {
  async function refreshed(user: TestUser, refreshToken: string) {
    const response = await api.refresh(refreshToken);
    expect(response.status).toBe(200);
    const tokens = response.body as TestUser['tokens'];
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.access_token).toEqual(expect.any(String));
    return tokens;
  }

  it('rotates the refresh token on each use and refuses the spent one with invalid_grant', async () => {
    const user = await registerAndLogIn(api);
    const next = await refreshed(user, user.tokens.refresh_token);
    expect(next.refresh_token).not.toBe(user.tokens.refresh_token);
    await expectAcceptedEverywhere(stack, next.access_token);

    const spent = await api.refresh(user.tokens.refresh_token);
    expect(spent.status).toBe(400);
    expect(spent.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes the whole session when a spent refresh token is used again', async () => {
    const user = await registerAndLogIn(api);
    const second = await refreshed(user, user.tokens.refresh_token);
    const third = await refreshed(user, second.refresh_token);
    await expectAcceptedEverywhere(stack, third.access_token);

    const reuse = await api.refresh(user.tokens.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });

    const latest = await api.refresh(third.refresh_token);
    expect(latest.status).toBe(400);
    expect(latest.body).toMatchObject({ error: 'invalid_grant' });
    await expectRefusedEverywhere(stack, third.access_token, { eventually: true });
    await expectRefusedEverywhere(stack, user.tokens.access_token);
    expect(isInvalidTokenRefusal(await api.call('/orders', { token: third.access_token }))).toBe(
      true,
    );
  });
});
