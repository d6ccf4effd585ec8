import { createAccessTokenVerifier } from '@dja/auth';
import request from 'supertest';
import {
  adminAccessToken,
  jwtHeader,
  registerAndLogIn,
  startTestService,
  type TestService,
} from '../../test/support/test-service';
import { createMigratedDatabase } from '../../test/support/test-database';
import { rotateSigningKeys } from './rotate-signing-keys';

const ACTIVATION_DELAY = 120;
const TTL = 300;
const TOLERANCE = 60;

let service: TestService;
let admin: string;
beforeEach(async () => {
  service = await startTestService({
    env: {
      KEY_ACTIVATION_DELAY: String(ACTIVATION_DELAY),
      ACCESS_TOKEN_TTL: String(TTL),
      CLOCK_TOLERANCE: String(TOLERANCE),
      KEY_ROTATION_INTERVAL: '86400',
    },
  });
  admin = await adminAccessToken(service);
});
afterEach(() => service.stop());

const jwks = async () => (await request(service.app).get('/.well-known/jwks.json')).body.keys;
const states = async () => {
  const res = await request(service.app).get('/admin/keys').set('Authorization', `Bearer ${admin}`);
  return res.body.keys.map((key: { kid: string; state: string }) => [key.kid, key.state]);
};
const rotate = () =>
  request(service.app).post('/admin/keys/rotate').set('Authorization', `Bearer ${admin}`);

/** What an orders-service replica runs, fetching the JWKS over HTTP. */
const ordersVerifier = () =>
  createAccessTokenVerifier({
    issuer: service.config.ISSUER,
    audience: 'orders',
    jwksUri: `${service.url}/.well-known/jwks.json`,
    now: () => service.clock().getTime(),
  });

describe('signing key rotation', () => {
  it('publishes a new key first, signs with it after the activation delay, and retires the old one once its tokens have expired', async () => {
    const [old] = await jwks();
    const rotated = await rotate();
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.kid;
    expect(await states()).toEqual([
      [old.kid, 'current'],
      [fresh, 'next'],
    ]);
    expect((await jwks()).map((key: { kid: string }) => key.kid)).toEqual([old.kid, fresh]);
    const beforeActivation = await registerAndLogIn(service);
    expect(jwtHeader(beforeActivation.accessToken).kid).toBe(old.kid);

    service.clock.advance(ACTIVATION_DELAY);
    admin = await adminAccessToken(service);
    expect(await states()).toEqual([
      [old.kid, 'retiring'],
      [fresh, 'current'],
    ]);
    const afterActivation = await registerAndLogIn(service);
    expect(jwtHeader(afterActivation.accessToken).kid).toBe(fresh);

    // Tokens of the old key still verify, with the verifier resource services use.
    const verifier = ordersVerifier();
    await expect(verifier.verify(beforeActivation.accessToken)).resolves.toMatchObject({
      subject: beforeActivation.id,
    });
    await expect(verifier.verify(afterActivation.accessToken)).resolves.toMatchObject({
      subject: afterActivation.id,
    });

    service.clock.advance(TTL + TOLERANCE);
    expect((await jwks()).map((key: { kid: string }) => key.kid)).toEqual([fresh]);
  });

  it('keeps a rotation already waiting to activate instead of stacking another', async () => {
    const first = await rotate();
    const second = await rotate();
    expect(second.status).toBe(200);
    expect(second.body.kid).toBe(first.body.kid);
    expect(await jwks()).toHaveLength(2);
  });

  it('rotates on schedule only once the current key is older than the rotation interval', async () => {
    const { rotation } = service.deps;
    expect((await rotateSigningKeys(rotation, { force: false })).created).toBe(false);
    service.clock.advance(86_400);
    expect((await rotateSigningKeys(rotation, { force: false })).created).toBe(true);
  });

  it('creates one key when several replicas rotate at the same moment', async () => {
    const replicas = await Promise.all(
      [1, 2, 3].map(() => startTestService({ database: service.database, clock: service.clock })),
    );
    service.clock.advance(86_400);
    try {
      const results = await Promise.all(
        replicas.map((replica) => rotateSigningKeys(replica.deps.rotation, { force: false })),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.kid)).size).toBe(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  });

  it('shows a key made by another replica after that replica’s reload', async () => {
    const replica = await startTestService({ database: service.database, clock: service.clock });
    try {
      const created = await rotateSigningKeys(replica.deps.rotation, { force: true });
      await service.deps.keys.reload();
      expect((await jwks()).map((key: { kid: string }) => key.kid)).toContain(created.kid);
    } finally {
      await replica.stop();
    }
  });

  it('publishes only public members in the JWKS, with a cache lifetime under the activation delay', async () => {
    const res = await request(service.app).get('/.well-known/jwks.json');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    for (const key of res.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    }
  });

  it('stores private keys only encrypted', async () => {
    const [row] = await service.deps.db.signingKey.findMany();
    const stored = Buffer.from(row!.privateKeyEncrypted).toString('latin1');
    expect(stored).not.toContain('PRIVATE KEY');
    // PKCS#8 DER of an RSA key starts with SEQUENCE; encrypted data starts with a random IV.
    expect(JSON.stringify(row!.publicJwk)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
  });
});

describe('first start', () => {
  it('creates exactly one signing key when several replicas start at once on an empty database', async () => {
    const database = await createMigratedDatabase();
    const replicas = await Promise.all([1, 2, 3].map(() => startTestService({ database })));
    try {
      const keys = await replicas[0]!.deps.db.signingKey.findMany();
      expect(keys).toHaveLength(1);
      expect(replicas.every((replica) => replica.deps.keys.isReady())).toBe(true);
      const admins = await replicas[0]!.deps.db.user.findMany({
        where: { roles: { has: 'admin' } },
      });
      expect(admins).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await database.drop();
    }
  });
});
