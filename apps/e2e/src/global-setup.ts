import { type Stack, startStack } from '@dja/stack';
import { describeStack, SHARED_STACK_ENV } from './support/stack-info';

// globalSetup and globalTeardown run in the same process and share globalThis (Jest's contract).
const RUNNING = Symbol.for('dja.e2e.shared-stack');
type WithStack = typeof globalThis & { [RUNNING]?: Stack };

/**
 * Starts the stack shared by every test file that leaves it as it found it, from the bundles in
 * dist/ (the e2e:test target builds them first), and hands it to the files through process.env,
 * which they inherit.
 */
export default async function globalSetup(): Promise<void> {
  const stack = await startStack({
    port: 0,
    env: process.env,
    onProgress: (message) => process.stderr.write(`e2e stack: ${message}\n`),
  });
  (globalThis as WithStack)[RUNNING] = stack;
  process.env[SHARED_STACK_ENV] = JSON.stringify(describeStack(stack));
}

/** Stops what `globalSetup` started. */
export async function globalTeardown(): Promise<void> {
  const stack = (globalThis as WithStack)[RUNNING];
  (globalThis as WithStack)[RUNNING] = undefined;
  await stack?.stop();
}
