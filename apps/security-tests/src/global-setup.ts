import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '@dja/stack';
import { SECURITY_STACK_ENV, type SecurityStackInfo } from './testing/stack-info';

// globalSetup and globalTeardown run in the same process and share globalThis (Jest's contract).
const RUNNING = Symbol.for('dja.security-tests.stack');
type WithStack = typeof globalThis & { [RUNNING]?: { stack: Stack; keyDir: string } };

/** Replica counts: enough to hit two replicas of a service directly, small enough for 2 cores. */
const REPLICAS = { auth: 1, orders: 2, profile: 2, notifications: 1 } as const;
/** Shorter than the default 30 s so the flood test can wait one out. */
const JWKS_COOLDOWN_SECONDS = 5;
/**
 * Low enough to reach in a test, high enough for the suite's own sign-ups from 127.0.0.1; a short
 * client window, because the throttled client is a real one (orders-service) that must get its
 * next token.
 */
const THROTTLES = {
  registrationsPerAddress: 20,
  clientFailures: 3,
  clientFailureWindowSeconds: 10,
} as const;

/**
 * Starts one stack for the whole suite. auth-service imports a signing key generated here
 * (SIGNING_KEY_FILE), so the tests can mint tokens that carry a valid signature of *our* key
 * and isolate each claim or header check, instead of only ever sending forgeries.
 */
export default async function globalSetup(): Promise<void> {
  const keyDir = mkdtempSync(join(tmpdir(), 'dja-security-'));
  const signingKeyFile = join(keyDir, 'signing-key.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(signingKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), {
    mode: 0o600,
  });

  let stack: Stack;
  try {
    stack = await startStack({
      port: 0,
      replicas: REPLICAS,
      env: {
        ...process.env,
        SIGNING_KEY_FILE: signingKeyFile,
        JWKS_COOLDOWN: String(JWKS_COOLDOWN_SECONDS),
        REGISTRATION_MAX_PER_ADDRESS: String(THROTTLES.registrationsPerAddress),
        CLIENT_MAX_FAILED_AUTHENTICATIONS: String(THROTTLES.clientFailures),
        CLIENT_FAILURE_WINDOW: String(THROTTLES.clientFailureWindowSeconds),
      },
      onProgress: (message) => process.stderr.write(`security stack: ${message}\n`),
    });
  } catch (error) {
    rmSync(keyDir, { recursive: true, force: true });
    throw error;
  }
  (globalThis as WithStack)[RUNNING] = { stack, keyDir };
  const info: SecurityStackInfo = {
    gatewayUrl: stack.gatewayUrl,
    issuer: stack.issuer,
    admin: stack.admin,
    replicas: stack.replicas.map(({ service, name, url, operationsUrl }) => ({
      service,
      name,
      url,
      operationsUrl,
    })),
    signingKeyFile,
    jwksCooldownSeconds: JWKS_COOLDOWN_SECONDS,
    throttles: THROTTLES,
  };
  process.env[SECURITY_STACK_ENV] = JSON.stringify(info);
}

/** Stops what `globalSetup` started. */
export async function globalTeardown(): Promise<void> {
  const running = (globalThis as WithStack)[RUNNING];
  (globalThis as WithStack)[RUNNING] = undefined;
  if (!running) return;
  await running.stack.stop();
  rmSync(running.keyDir, { recursive: true, force: true });
}
