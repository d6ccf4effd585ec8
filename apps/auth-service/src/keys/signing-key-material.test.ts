import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, jwtVerify } from 'jose';
import request from 'supertest';
import {
  adminAccessToken,
  jwtHeader,
  registerAndLogIn,
  startTestService,
} from '../../test/support/test-service';
import { createMigratedDatabase } from '../../test/support/test-database';
import { importSigningKey } from './signing-key-material';

function pemFile(pem: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'auth-key-')), 'signing-key.pem');
  writeFileSync(file, pem, { mode: 0o600 });
  return file;
}

const { privateKey: rsaPem } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('importSigningKey', () => {
  it('names the key by its RFC 7638 thumbprint', async () => {
    const material = await importSigningKey(rsaPem);
    const jwk = createPublicKey(rsaPem).export({ format: 'jwk' });
    expect(material.kid).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
  });

  it('refuses a key that is not RSA', async () => {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await expect(importSigningKey(privateKey)).rejects.toThrow(/RSA/);
  });

  it('refuses an RSA key shorter than 2048 bits', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await expect(importSigningKey(privateKey)).rejects.toThrow(/2048/);
  });
});

describe('SIGNING_KEY_FILE', () => {
  it('makes the imported key the signing key, and importing it again on restart changes nothing', async () => {
    const database = await createMigratedDatabase();
    const file = pemFile(rsaPem);
    const { kid } = await importSigningKey(rsaPem);
    const first = await startTestService({ database });
    const generatedKid = first.deps.keys.signingKey().kid;
    await first.stop();

    const { clock } = first;
    clock.advance(10);
    const restarted = await startTestService({ database, clock, env: { SIGNING_KEY_FILE: file } });
    clock.advance(10);
    const again = await startTestService({ database, clock, env: { SIGNING_KEY_FILE: file } });
    try {
      const user = await registerAndLogIn(restarted);
      expect(jwtHeader(user.accessToken).kid).toBe(kid);
      await expect(
        jwtVerify(user.accessToken, createPublicKey(rsaPem), { issuer: restarted.config.ISSUER }),
      ).resolves.toBeDefined();

      const admin = await adminAccessToken(again);
      const keys = await request(again.app)
        .get('/admin/keys')
        .set('Authorization', `Bearer ${admin}`);
      expect(keys.body.keys).toEqual([
        expect.objectContaining({ kid: generatedKid, state: 'retiring', source: 'generated' }),
        expect.objectContaining({ kid, state: 'current', source: 'imported' }),
      ]);
    } finally {
      await restarted.stop();
      await again.stop();
      await database.drop();
    }
  });

  it('does not bring an imported key back after it was rotated away', async () => {
    const database = await createMigratedDatabase();
    const file = pemFile(rsaPem);
    const service = await startTestService({ database, env: { SIGNING_KEY_FILE: file } });
    const admin = await adminAccessToken(service);
    const rotated = await request(service.app)
      .post('/admin/keys/rotate')
      .set('Authorization', `Bearer ${admin}`);
    service.clock.advance(service.config.KEY_ACTIVATION_DELAY + 3600);
    await service.stop();

    const restarted = await startTestService({
      database,
      clock: service.clock,
      env: { SIGNING_KEY_FILE: file },
    });
    try {
      expect(restarted.deps.keys.signingKey().kid).toBe(rotated.body.kid);
    } finally {
      await restarted.stop();
      await database.drop();
    }
  });

  it('fails start-up with a clear message for a file that holds no usable key', async () => {
    await expect(
      startTestService({ env: { SIGNING_KEY_FILE: pemFile('not a key') } }),
    ).rejects.toThrow();
  });
});
