import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'RS256';
const MIN_MODULUS_BITS = 2048;

/** An RSA private key with the public JWK it publishes and its RFC 7638 thumbprint as `kid`. */
export interface SigningKeyMaterial {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  /** PKCS#8 DER: what gets encrypted into the database. */
  pkcs8: Buffer;
}

/** Exactly the members the JWKS serves: never a private part. */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

export async function generateSigningKey(): Promise<SigningKeyMaterial> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return describe(privateKey);
}

/** Reads a PKCS#8 (or PKCS#1) PEM RSA private key, as given in SIGNING_KEY_FILE. */
export async function importSigningKey(pem: string): Promise<SigningKeyMaterial> {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(
      `SIGNING_KEY_FILE holds a ${privateKey.asymmetricKeyType} key; RS256 needs RSA`,
    );
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) {
    throw new Error(`SIGNING_KEY_FILE holds a ${bits}-bit RSA key; at least 2048 bits are needed`);
  }
  return describe(privateKey);
}

export function privateKeyFromPkcs8(pkcs8: Buffer): KeyObject {
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

async function describe(privateKey: KeyObject): Promise<SigningKeyMaterial> {
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  if (!n || !e) throw new Error('not an RSA key');
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e }, 'sha256');
  return {
    kid,
    privateKey,
    publicJwk: { kty: 'RSA', n, e, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}
