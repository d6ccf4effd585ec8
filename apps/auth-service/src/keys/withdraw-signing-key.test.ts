import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operationsApp } from '@dja/http';
import request from 'supertest';
import {
  adminAccessToken,
  jwtHeader,
  jwtPayload,
  registerAndLogIn,
  startTestService,
  type TestService,
} from '../../test/support/test-service';
import { createMigratedDatabase } from '../../test/support/test-database';
import { revocationsInForce } from '../revocations/revocations';
import { rotateSigningKeys } from './rotate-signing-keys';
import { importSigningKey } from './signing-key-material';

let service: TestService;
let admin: string;
beforeEach(async () => {
  service = await startTestService({ env: { KEY_ACTIVATION_DELAY: '120' } });
  admin = await adminAccessToken(service);
});
afterEach(() => service.stop());

const withdraw = (kid: string, token = admin) =>
  request(service.app).post(`/admin/keys/${kid}/withdraw`).set('Authorization', `Bearer ${token}`);
const jwksKids = async () =>
  (await request(service.app).get('/.well-known/jwks.json')).body.keys.map(
    (key: { kid: string }) => key.kid,
  );
const refresh = (refreshToken: string) =>
  request(service.app)
    .post('/token')
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: refreshToken });

describe('POST /admin/keys/{kid}/withdraw', () => {
  it('withdraws the active key: a new key signs at once, the old one leaves the JWKS, and the response names both with the audit data', async () => {
    const user = await registerAndLogIn(service);
    const leaked = jwtHeader(user.accessToken).kid as string;

    const res = await withdraw(leaked);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      kid: leaked,
      withdrawnAt: service.clock().toISOString(),
      withdrawnBy: expect.any(String),
      activation: 'generated',
    });
    const active = res.body.activeKid as string;
    expect(active).not.toBe(leaked);
    expect(res.body.keys).toEqual([expect.objectContaining({ kid: active, state: 'current' })]);
    expect(await jwksKids()).toEqual([active]);

    // Sessions survive: the refresh token is not signed, so a refresh gets the new key's token.
    const refreshed = await refresh(user.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(jwtHeader(refreshed.body.access_token).kid).toBe(active);

    // The auth service itself refuses the withdrawn key's tokens (here the admin's own).
    const stale = await request(service.app)
      .get('/admin/keys')
      .set('Authorization', `Bearer ${admin}`);
    expect(stale.status).toBe(401);
    expect(stale.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('records the audit in the outbox event, the log, the revocation snapshot and a metric', async () => {
    const leaked = jwtHeader(admin).kid as string;
    const res = await withdraw(leaked);
    const [event] = await service.deps.db.outboxEvent.findMany({
      where: { type: 'signing-key.withdrawn' },
    });
    expect(event?.payload).toEqual({
      kid: leaked,
      withdrawnAt: res.body.withdrawnAt,
      withdrawnBy: res.body.withdrawnBy,
      activeKid: res.body.activeKid,
    });
    const logged = service.logs
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'signing key withdrawn');
    // Who withdrew which key, when, and what signs now.
    expect(logged).toMatchObject({
      level: 40,
      kid: leaked,
      withdrawnBy: jwtPayload(admin).sub,
      withdrawnAt: res.body.withdrawnAt,
      activeKid: res.body.activeKid,
    });
    const metrics = await request(operationsApp(service.app)).get('/metrics');
    expect(metrics.text).toMatch(/^auth_signing_keys_withdrawn_total(\{[^}]*\})? 1$/m);

    const snapshot = await revocationsInForce(service.deps.db, service.clock);
    expect(snapshot.withdrawnKeys).toEqual([
      { kid: leaked, withdrawnAt: Math.floor(service.clock().getTime() / 1000) },
    ]);
  });

  it('activates the key already published for the next rotation instead of making another', async () => {
    const current = jwtHeader(admin).kid as string;
    const rotated = await request(service.app)
      .post('/admin/keys/rotate')
      .set('Authorization', `Bearer ${admin}`);
    const next = rotated.body.kid as string;
    const res = await withdraw(current);
    expect(res.body).toMatchObject({ activeKid: next, activation: 'next' });
    const user = await registerAndLogIn(service);
    expect(jwtHeader(user.accessToken).kid).toBe(next);
  });

  it('leaves the active key alone when the withdrawn key was not signing', async () => {
    const current = jwtHeader(admin).kid as string;
    const rotated = await request(service.app)
      .post('/admin/keys/rotate')
      .set('Authorization', `Bearer ${admin}`);
    const res = await withdraw(rotated.body.kid);
    expect(res.body).toMatchObject({ activeKid: current, activation: 'unchanged' });
    expect(await jwksKids()).toEqual([current]);
  });

  it('refuses to withdraw a key twice, naming when and by whom it was withdrawn', async () => {
    const leaked = jwtHeader(admin).kid as string;
    await withdraw(leaked);
    const again = await withdraw(leaked, await adminAccessToken(service));
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.detail).toMatch(/withdrawn at .* cannot be withdrawn again or brought back/);
  });

  it('answers 404 for an unknown kid, 400 for a malformed one and 403 to a non-admin', async () => {
    expect((await withdraw('no-such-kid')).status).toBe(404);
    expect((await withdraw('bad%20kid')).status).toBe(400);
    const user = await registerAndLogIn(service);
    expect(
      (await withdraw(jwtHeader(user.accessToken).kid as string, user.accessToken)).status,
    ).toBe(403);
  });

  it('erases the withdrawn private key from the database and keeps its kid as a tombstone', async () => {
    const leaked = jwtHeader(admin).kid as string;
    await withdraw(leaked);
    const row = await service.deps.db.signingKey.findUnique({ where: { kid: leaked } });
    expect(row?.withdrawnAt).not.toBeNull();
    expect(row?.privateKeyEncrypted).toHaveLength(0);
  });
});

describe('no way back for a withdrawn key', () => {
  it('refuses to start with SIGNING_KEY_FILE holding a withdrawn key, saying so', async () => {
    const { privateKey: pem } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'auth-key-')), 'signing-key.pem');
    writeFileSync(file, pem, { mode: 0o600 });
    const { kid } = await importSigningKey(pem);
    const database = await createMigratedDatabase();
    const first = await startTestService({ database, env: { SIGNING_KEY_FILE: file } });
    try {
      const res = await request(first.app)
        .post(`/admin/keys/${kid}/withdraw`)
        .set('Authorization', `Bearer ${await adminAccessToken(first)}`);
      expect(res.status).toBe(200);
    } finally {
      await first.stop();
    }
    try {
      await expect(
        startTestService({ database, clock: first.clock, env: { SIGNING_KEY_FILE: file } }),
      ).rejects.toThrow(`SIGNING_KEY_FILE holds the signing key ${kid}, withdrawn at`);
      // Without the file the service starts, signing with the key that replaced it.
      const restarted = await startTestService({ database, clock: first.clock });
      try {
        expect(restarted.deps.keys.signingKey().kid).not.toBe(kid);
        expect(restarted.deps.keys.jwks().keys.map((key) => key.kid)).not.toContain(kid);
      } finally {
        await restarted.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it('never brings a withdrawn key back through a scheduled rotation', async () => {
    const leaked = jwtHeader(admin).kid as string;
    await withdraw(leaked);
    service.clock.advance(service.config.KEY_ROTATION_INTERVAL + 3600);
    await rotateSigningKeys(service.deps.rotation, { force: false });
    await service.deps.keys.reload();
    expect(service.deps.keys.describe().map((key) => key.kid)).not.toContain(leaked);
    const row = await service.deps.db.signingKey.findUnique({ where: { kid: leaked } });
    expect(row).not.toBeNull(); // expired generated keys are deleted; a tombstone is not
  });
});
