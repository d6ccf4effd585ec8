import { execFileSync } from 'node:child_process';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestIssuer,
  generateTestKey,
  type MintOptions,
  type TestIssuer,
  type TestSigningKey,
} from '@dja/auth/testing';
import { type AttackerListener, startAttackerListener } from './attacker-listener';
import { bearerError, replicasSettle, sendRaw, sendRawJson } from '@dja/stack-client';
import { type SecurityStackInfo, RESOURCE_SERVICES, replicasOf, PROBE_PATHS } from './stack-info';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** The claims auth-service put in the access token. */
  claims: Record<string, unknown>;
}

/** Everything the cases build their requests from. */
export interface AttackContext {
  stack: SecurityStackInfo;
  /** auth-service's signing key (imported through SIGNING_KEY_FILE) with its published kid. */
  ourKey: TestSigningKey;
  /** Public key forms an attacker can fetch from the JWKS and feed to HMAC. */
  publicKey: { spkiPem: string; pkcs1Pem: string; jwkJson: string; der: Buffer; n: Buffer };
  /** A key that is not ours, with its own kid. */
  attackerKey: TestSigningKey;
  /** Another attacker key that claims our kid. */
  attackerKeyWithOurKid: TestSigningKey;
  ecKey: KeyObject;
  /** A self-signed certificate of attackerKey, base64 DER, as `x5c` carries it. */
  attackerCertificate: string;
  listener: AttackerListener;
  user: TestUser;
  /** A token of `user` signed by our key: `claims` merged over the user's real claims. */
  mint(claims?: Record<string, unknown>, options?: MintOptions): string;
  /** A client_credentials-shaped token (no sid, sub = client_id) signed by our key. */
  serviceToken: string;
  loggedOutToken: string;
  suspendedToken: string;
  close(): Promise<void>;
}

let counter = 0;

/** Registers and logs in a fresh user through the gateway. */
export async function createUser(stack: SecurityStackInfo, label: string): Promise<TestUser> {
  const email = `${label}-${process.pid}-${++counter}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `Pw-${randomUUID()}`;
  const registered = await sendRawJson<{ id: string }>(stack.gatewayUrl, '/auth/register', {
    json: { email, password, name: label },
  });
  if (registered.status !== 201) {
    throw new Error(`register ${label}: ${registered.status} ${JSON.stringify(registered.body)}`);
  }
  const tokens = await login(stack, email, password);
  return {
    id: registered.body.id,
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    claims: JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8'),
    ),
  };
}

export async function login(
  stack: SecurityStackInfo,
  email: string,
  password: string,
): Promise<{ access_token: string; refresh_token: string }> {
  const response = await sendRawJson<{ access_token: string; refresh_token: string }>(
    stack.gatewayUrl,
    '/auth/login',
    { json: { email, password } },
  );
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`);
  return response.body;
}

export async function createAttackContext(stack: SecurityStackInfo): Promise<AttackContext> {
  const privateKey = createPrivateKey(readFileSync(stack.signingKeyFile, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const jwks = await sendRawJson<{ keys: Array<Record<string, unknown>> }>(
    stack.gatewayUrl,
    '/auth/.well-known/jwks.json',
  );
  const published = jwks.body.keys.find((key) => key.n === jwk.n);
  if (!published || typeof published.kid !== 'string') {
    throw new Error('the imported signing key is not in the JWKS');
  }
  const ourKey: TestSigningKey = {
    kid: published.kid,
    privateKey,
    publicKey,
    publicJwk: published,
  };
  const minter: TestIssuer = await createTestIssuer({
    issuer: stack.issuer,
    keys: [ourKey],
    tokenLifetimeSeconds: 300,
  });
  const [attackerKey, attackerKeyWithOurKid] = await Promise.all([
    generateTestKey({ kid: `attacker-${randomUUID()}` }),
    generateTestKey({ kid: ourKey.kid }),
  ]);
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const listener = await startAttackerListener({ keys: [attackerKey.publicJwk] });

  const user = await createUser(stack, 'security-a');
  const { client_id: clientId, iat: _iat, exp: _exp, jti: _jti, ...userClaims } = user.claims;
  const mint = (claims: Record<string, unknown> = {}, options: MintOptions = {}) =>
    minter.mint({ ...userClaims, client_id: clientId, ...claims }, options);

  const [loggedOut, suspended] = await Promise.all([
    createUser(stack, 'security-logged-out'),
    createUser(stack, 'security-suspended'),
  ]);
  const logout = await sendRaw(stack.gatewayUrl, {
    method: 'POST',
    path: '/auth/logout',
    headers: [['authorization', `Bearer ${loggedOut.accessToken}`]],
  });
  if (logout.status !== 204) throw new Error(`logout: ${logout.status} ${logout.body}`);
  const admin = await login(stack, stack.admin.email, stack.admin.password);
  const suspend = await sendRaw(stack.gatewayUrl, {
    method: 'POST',
    path: `/auth/admin/users/${suspended.id}/suspend`,
    headers: [['authorization', `Bearer ${admin.access_token}`]],
  });
  if (suspend.status >= 300) throw new Error(`suspend: ${suspend.status} ${suspend.body}`);
  // Revocations reach every replica through the broker: wait until each refuses both tokens.
  await replicasSettle(
    RESOURCE_SERVICES.flatMap((service) =>
      replicasOf(stack, service).flatMap((replica) =>
        [loggedOut.accessToken, suspended.accessToken].map((token) => async () => {
          const response = await sendRaw(replica.url, {
            path: PROBE_PATHS[service],
            headers: [['authorization', `Bearer ${token}`]],
          });
          return response.status === 401 && bearerError(response) === 'invalid_token';
        }),
      ),
    ),
    'revocations to reach every replica',
  );

  const certDir = mkdtempSync(join(tmpdir(), 'dja-x5c-'));
  let attackerCertificate: string;
  try {
    const keyFile = join(certDir, 'key.pem');
    const certFile = join(certDir, 'cert.der');
    execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-out', keyFile], { stdio: 'ignore' });
    execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=attacker', '-days', '1'].concat([
        '-outform',
        'DER',
        '-out',
        certFile,
      ]),
      { stdio: 'ignore' },
    );
    attackerCertificate = readFileSync(certFile).toString('base64');
  } finally {
    rmSync(certDir, { recursive: true, force: true });
  }

  return {
    stack,
    ourKey,
    publicKey: {
      spkiPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      pkcs1Pem: publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
      jwkJson: JSON.stringify(published),
      der: publicKey.export({ format: 'der', type: 'spki' }),
      n: Buffer.from(String(jwk.n), 'base64url'),
    },
    attackerKey,
    attackerKeyWithOurKid,
    ecKey,
    attackerCertificate,
    listener,
    user,
    mint,
    serviceToken: minter.mint({
      sub: 'notifications-service',
      client_id: 'notifications-service',
      sid: undefined,
      aud: ['auth', 'profile', 'orders', 'notifications'],
      scope: 'profile:read revocations:read',
    }),
    loggedOutToken: loggedOut.accessToken,
    suspendedToken: suspended.accessToken,
    async close() {
      await Promise.all([minter.close(), listener.close()]);
    },
  };
}
