import { type KeyObject, constants, generateKeyPair, randomUUID, sign } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

export interface TestSigningKey {
  /** Undefined for a key published without `kid`. */
  kid: string | undefined;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK as published: kty RSA, alg RS256, use sig, kid. */
  publicJwk: Record<string, unknown>;
}

/** A fresh RSA-2048 key. `kid: null` publishes it without a kid. */
export async function generateTestKey(
  options: { kid?: string | null } = {},
): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  const kid = options.kid === null ? undefined : (options.kid ?? `test-${randomUUID()}`);
  const publicJwk = {
    ...publicKey.export({ format: 'jwk' }),
    alg: 'RS256',
    use: 'sig',
    ...(kid === undefined ? {} : { kid }),
  };
  return { kid, privateKey, publicKey, publicJwk };
}

export interface TestIssuerOptions {
  /** `iss` of minted tokens. Default `https://auth.test`. */
  issuer?: string;
  /** Default `aud` of minted tokens. Default `test-service`. */
  audience?: string;
  /** Keys to publish, or how many to generate. Default 1. The last one signs by default. */
  keys?: number | TestSigningKey[];
  /** Lifetime of minted tokens (exp - iat). Default 300 s. */
  tokenLifetimeSeconds?: number;
  /** Clock for default iat/exp, epoch milliseconds; pass the verifier's frozen clock. */
  now?: () => number;
  /** Sent as Cache-Control on JWKS responses. */
  cacheControl?: string;
}

export interface MintOptions {
  /** Merged over `{ alg: 'RS256', typ: 'at+jwt', kid }`; an undefined value removes a parameter. */
  header?: Record<string, unknown>;
  /** Signs with this key (and names its kid). Default: the current key. */
  key?: TestSigningKey;
  /** Makes the signature yourself, e.g. HMAC keyed with the public key. */
  sign?: (signingInput: string) => Uint8Array;
  /** Use these bytes as the header or payload instead of JSON, e.g. to send broken JSON. */
  rawHeader?: string;
  rawPayload?: string;
}

export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** `http://127.0.0.1:<port>/.well-known/jwks.json` */
  readonly jwksUri: string;
  /** Keys currently published, oldest first. */
  readonly keys: readonly TestSigningKey[];
  /** The key that signs by default. */
  readonly currentKey: TestSigningKey;
  /** How many requests the JWKS endpoint has received. */
  readonly fetchCount: number;
  /** The claims a token gets unless overridden: iss, aud, sub, sid, client_id, jti, iat, exp. */
  defaultClaims(): Record<string, unknown>;
  /**
   * A signed compact JWS. `claims` are merged over the defaults; an undefined value removes a
   * claim, so `mint({ exp: undefined })` is a token without exp.
   */
  mint(claims?: Record<string, unknown>, options?: MintOptions): string;
  /** Publishes a new signing key; the old ones stay published unless `retirePrevious`. */
  rotate(options?: { retirePrevious?: boolean; kid?: string }): Promise<TestSigningKey>;
  /** Serve this document instead of the keys (e.g. foreign key types); undefined to stop. */
  publish(document: unknown): void;
  /** While false the JWKS endpoint answers 503, as an auth service in trouble would. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

const JWKS_PATH = '/.well-known/jwks.json';

/**
 * A stand-in for auth-service in tests: real RSA keys, a real JWKS endpoint on 127.0.0.1, and
 * tokens with whatever header, claims or signature a test needs.
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'https://auth.test';
  const audience = options.audience ?? 'test-service';
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  const now = options.now ?? Date.now;
  let keys =
    typeof options.keys === 'object'
      ? [...options.keys]
      : await Promise.all(Array.from({ length: options.keys ?? 1 }, () => generateTestKey()));
  if (keys.length === 0) throw new TypeError('createTestIssuer: at least one key is needed');
  let current = keys[keys.length - 1] as TestSigningKey;
  let document: unknown;
  let available = true;
  let fetchCount = 0;

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== JWKS_PATH) {
      res.writeHead(404).end();
      return;
    }
    fetchCount += 1;
    if (!available) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const body = JSON.stringify(document ?? { keys: keys.map((key) => key.publicJwk) });
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      ...(options.cacheControl ? { 'cache-control': options.cacheControl } : {}),
    });
    res.end(body);
  });
  const port = await listenOnLoopback(server);

  const testIssuer: TestIssuer = {
    issuer,
    audience,
    jwksUri: `http://127.0.0.1:${port}${JWKS_PATH}`,
    get keys() {
      return keys;
    },
    get currentKey() {
      return current;
    },
    get fetchCount() {
      return fetchCount;
    },
    defaultClaims() {
      const iat = Math.floor(now() / 1000);
      return {
        iss: issuer,
        aud: audience,
        sub: 'user-1',
        sid: 'session-1',
        client_id: 'test-client',
        jti: randomUUID(),
        iat,
        exp: iat + lifetime,
      };
    },
    mint(claims = {}, mintOptions = {}) {
      const key = mintOptions.key ?? current;
      const header = withoutUndefined({
        alg: 'RS256',
        typ: 'at+jwt',
        kid: key.kid,
        ...mintOptions.header,
      });
      const payload = withoutUndefined({ ...testIssuer.defaultClaims(), ...claims });
      const signingInput = [
        base64url(mintOptions.rawHeader ?? JSON.stringify(header)),
        base64url(mintOptions.rawPayload ?? JSON.stringify(payload)),
      ].join('.');
      const signature = mintOptions.sign
        ? mintOptions.sign(signingInput)
        : signWithRsa(String(header.alg), signingInput, key.privateKey);
      return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
    },
    async rotate(rotateOptions = {}) {
      const key = await generateTestKey({ kid: rotateOptions.kid });
      keys = rotateOptions.retirePrevious ? [key] : [...keys, key];
      current = key;
      return key;
    },
    publish(nextDocument) {
      document = nextDocument;
    },
    setAvailable(nextAvailable) {
      available = nextAvailable;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return testIssuer;
}

/** RS*, PS* with the key; `none` in any casing gets an empty signature. */
function signWithRsa(alg: string, signingInput: string, privateKey: KeyObject): Uint8Array {
  if (alg.toLowerCase() === 'none') return new Uint8Array();
  const match = /^(RS|PS)(256|384|512)$/.exec(alg);
  if (!match) throw new TypeError(`mint: cannot sign ${alg} with an RSA key; pass options.sign`);
  return sign(`sha${match[2]}`, Buffer.from(signingInput), {
    key: privateKey,
    ...(match[1] === 'PS'
      ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : {}),
  });
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
