import { type Stack, startStack, type StackOptions } from '@dja/stack';

/** Progress and tables go to stderr; stdout carries only the benchmark's result. */
export const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * The local stack a benchmark measures, on a free gateway port, with `replicas` per service.
 * Services log warnings only: one log line per request would be part of every figure.
 */
export function startBenchStack(replicas: StackOptions['replicas']): Promise<Stack> {
  log('starting the stack…');
  return startStack({
    port: 0,
    replicas,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    onProgress: (m) => log(`… ${m}`),
  });
}
