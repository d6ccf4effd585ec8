import { request as httpRequest } from 'node:http';
import { decodeJwt } from 'jose';
import { createUser, type TestUser } from './testing/attack-context';
import { replicasSettle, RFC_8414_MEMBERS, sendRaw, sendRawJson } from '@dja/stack-client';
import { PROBE_PATHS, RESOURCE_SERVICES, replicasOf, securityStack } from './testing/stack-info';

const stack = securityStack();

/** GET with the path sent byte for byte: no URL parsing that would resolve `..` or `%2e`. */
function rawGet(baseUrl: string, path: string) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const OPERATIONAL = ['metrics', 'readyz', 'healthz'];
const PREFIXES = ['', '/auth', '/orders', '/profile', '/profiles', '/notifications'];

/** Each operational path under each routed prefix, plainly, encoded and with dot segments. */
const publicVariants = PREFIXES.flatMap((prefix) =>
  OPERATIONAL.flatMap((name) => [
    `${prefix}/${name}`,
    `${prefix}/${name}/`,
    `${prefix}/%${name.charCodeAt(0).toString(16)}${name.slice(1)}`,
    `${prefix}/./${name}`,
    `${prefix}/x/../${name}`,
    `${prefix}/%2e%2e/${name}`,
    `${prefix}/%2E/${name}`,
    `${prefix}//${name}`,
    `${prefix}/${name}?format=prometheus`,
  ]),
);

describe('nothing operational is reachable through the gateway', () => {
  it('answers no Prometheus text and no readiness detail on any public path variant', async () => {
    const leaks: string[] = [];
    for (const path of publicVariants) {
      const res = await rawGet(stack.gatewayUrl, path);
      if (/^# (HELP|TYPE) /m.test(res.body) || /"checks"\s*:/.test(res.body)) {
        leaks.push(`${path} -> ${res.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('serves metrics and readiness on each replica’s operations listener', async () => {
    for (const replica of stack.replicas) {
      const metrics = await sendRaw(replica.operationsUrl, { path: '/metrics' });
      expect([replica.name, metrics.status]).toEqual([replica.name, 200]);
      expect(metrics.body).toMatch(/^# HELP /m);
      const ready = await sendRaw(replica.operationsUrl, { path: '/readyz' });
      expect(JSON.parse(ready.body)).toHaveProperty('checks');
      // ...and not on the replica's public listener, which the gateway forwards to.
      expect((await sendRaw(replica.url, { path: '/metrics' })).status).toBe(404);
    }
  });
});

describe('protective headers', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await createUser(stack, 'edge-headers');
  });

  const bearer = (token: string): Array<readonly [string, string]> => [
    ['Authorization', `Bearer ${token}`],
  ];
  type Probe = { path: string; headers?: Array<readonly [string, string]> };

  it.each([
    ['2xx with personal data', () => ({ path: '/orders', headers: bearer(user.accessToken) })],
    ['401 without a token', () => ({ path: '/orders' })],
    ['401 with a bad token', () => ({ path: '/notifications', headers: bearer('a.b.c') })],
    [
      '403 without the admin role',
      () => ({ path: '/auth/admin/users', headers: bearer(user.accessToken) }),
    ],
    ['404 of a service', () => ({ path: '/orders/00000000-0000-4000-8000-000000000000' })],
    ['404 of the gateway', () => ({ path: '/auth/internal/revocations' })],
  ] satisfies Array<[string, () => Probe]>)(
    'are on a %s answer, with one X-Request-Id',
    async (_name, build) => {
      const spec: Probe = build();
      const res = await sendRaw(stack.gatewayUrl, { path: spec.path, headers: spec.headers ?? [] });
      expect(res.status).not.toBe(0);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toMatch(/no-store/);
      const ids = res.headers['x-request-id'];
      expect(typeof ids).toBe('string');
      expect(String(ids)).not.toContain(',');
      if (res.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      if (res.status >= 400) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(res.body).type).toMatch(/^https:\/\/.+\/docs\/problems\.md#/);
      }
    },
  );
});

describe('the access token’s claims', () => {
  it('name the client (RFC 9068 §2.2) and carry no email', async () => {
    const user = await createUser(stack, 'edge-claims');
    const claims = decodeJwt(user.accessToken);
    expect(typeof claims.client_id).toBe('string');
    expect(claims).not.toHaveProperty('email');
    expect(JSON.stringify(claims)).not.toContain(user.email);
    // The profile, where the email lives, still has it.
    const profile = await sendRawJson<{ email: string }>(stack.gatewayUrl, '/profile/me', {
      token: user.accessToken,
    });
    if (profile.status === 200) expect(profile.body.email).toBe(user.email);
  });
});

interface Metadata {
  issuer: string;
  token_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  response_types_supported: string[];
  [member: string]: unknown;
}

describe('authorization server metadata (RFC 8414)', () => {
  it('is served at the well-known URI derived from the issuer, with RFC 8414 members only', async () => {
    const issuer = new URL(stack.issuer);
    const path = `/.well-known/oauth-authorization-server${issuer.pathname}`;
    const res = await sendRawJson<Metadata>(stack.gatewayUrl, path);
    expect(res.status).toBe(200);
    expect(res.body.issuer).toBe(stack.issuer);
    expect(res.body.response_types_supported).toEqual(expect.any(Array));
    const extra = Object.keys(res.body).filter((name) => !RFC_8414_MEMBERS.includes(name));
    expect(extra).toEqual(['access_token_signing_alg_values_supported']);
    for (const endpoint of [
      res.body.token_endpoint,
      res.body.revocation_endpoint,
      res.body.jwks_uri,
    ]) {
      expect(endpoint.startsWith(`${stack.issuer}/`)).toBe(true);
    }
    // The JWKS it names answers through the gateway.
    const jwks = await sendRaw(stack.gatewayUrl, { path: new URL(res.body.jwks_uri).pathname });
    expect(jwks.status).toBe(200);
  });

  it('is not also offered as an openid-configuration, which it is not', async () => {
    const res = await sendRaw(stack.gatewayUrl, { path: '/auth/.well-known/openid-configuration' });
    expect(res.status).toBe(404);
  });
});

describe('token revocation (RFC 7009)', () => {
  const revoke = (body: string, headers: Array<readonly [string, string]> = []) =>
    sendRaw(stack.gatewayUrl, {
      method: 'POST',
      path: '/auth/revoke',
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ...headers],
      body,
    });

  it('ends the session of a refresh token on every replica of every service', async () => {
    const user = await createUser(stack, 'edge-revoke');
    const clientId = String(decodeJwt(user.accessToken).client_id);
    const res = await revoke(
      new URLSearchParams({ token: user.refreshToken, client_id: clientId }).toString(),
    );
    expect(res.status).toBe(200);
    const refreshed = await sendRawJson<{ error: string }>(stack.gatewayUrl, '/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: user.refreshToken },
    });
    expect(refreshed.body.error).toBe('invalid_grant');
    await replicasSettle(
      RESOURCE_SERVICES.flatMap((service) =>
        replicasOf(stack, service).map((replica) => async () => {
          const answer = await sendRawJson(replica.url, PROBE_PATHS[service], {
            token: user.accessToken,
          });
          return answer.status === 401;
        }),
      ),
      'the revoked session’s access token refused by every replica',
    );
  });

  it('answers 200 for an unknown token, and invalid_client without client authentication', async () => {
    const user = await createUser(stack, 'edge-revoke-2');
    const clientId = String(decodeJwt(user.accessToken).client_id);
    const unknown = await revoke(
      new URLSearchParams({ token: 'nope', client_id: clientId }).toString(),
    );
    expect(unknown.status).toBe(200);
    const anonymous = await revoke(new URLSearchParams({ token: user.refreshToken }).toString());
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body).error).toBe('invalid_client');
  });
});
