import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '@dja/stack';
import { type OtlpReceiver, startOtlpReceiver } from '@dja/test-infra';
import { serveStackControl } from './support/stack-control';
import { describeStack, SHARED_STACK_ENV, type SharedStackInfo } from './support/stack-info';

// globalSetup and globalTeardown run in the same process and share globalThis (Jest's contract).
const RUNNING = Symbol.for('dja.e2e.shared-stack');
interface Running {
  stack: Stack;
  control: { close(): Promise<void> };
  receiver: OtlpReceiver;
  keyDir: string;
}
type WithStack = typeof globalThis & { [RUNNING]?: Running };

/**
 * Starts the stack shared by every test file that leaves it as it found it, from the bundles in
 * dist/ (the e2e:test target builds them first), and hands it to the files through process.env,
 * which they inherit. auth-service signs with a key given through SIGNING_KEY_FILE, so that a
 * file can play the attacker who stole it (key-withdrawal.test.ts withdraws it; a withdrawn key
 * can never be imported again, so no file may restart auth-service after that one ran).
 * Tracing is on, as a user turns it on (the standard OTEL_* variables): every replica exports
 * its spans to an OTLP receiver started here (tracing.test.ts reads them).
 */
export default async function globalSetup(): Promise<void> {
  const keyDir = await mkdtemp(join(tmpdir(), 'dja-e2e-key-'));
  const signingKeyFile = join(keyDir, 'signing-key.pem');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(signingKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  const receiver = await startOtlpReceiver();
  const stack = await startStack({
    port: 0,
    env: {
      ...process.env,
      SIGNING_KEY_FILE: signingKeyFile,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    onProgress: (message) => process.stderr.write(`e2e stack: ${message}\n`),
  }).catch(async (error: unknown) => {
    await receiver.stop();
    await rm(keyDir, { recursive: true, force: true });
    throw error;
  });
  const control = await serveStackControl(stack);
  (globalThis as WithStack)[RUNNING] = { stack, control, receiver, keyDir };
  const shared: SharedStackInfo = {
    ...describeStack(stack, receiver.url),
    signingKeyFile,
    controlUrl: control.url,
  };
  process.env[SHARED_STACK_ENV] = JSON.stringify(shared);
}

/** Stops what `globalSetup` started. */
export async function globalTeardown(): Promise<void> {
  const running = (globalThis as WithStack)[RUNNING];
  (globalThis as WithStack)[RUNNING] = undefined;
  if (!running) return;
  await running.control.close();
  await running.stack.stop();
  await running.receiver.stop();
  await rm(running.keyDir, { recursive: true, force: true });
}
