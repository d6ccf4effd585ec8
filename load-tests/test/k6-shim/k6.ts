// The `k6` module for the shim: check, group, sleep, fail.
import { record, recording } from './recorder';

export function check<T>(
  value: T,
  sets: Record<string, (value: T) => boolean>,
  tags: Record<string, string> = {},
): boolean {
  let all = true;
  for (const [name, test] of Object.entries(sets)) {
    let ok = false;
    try {
      ok = Boolean(test(value));
    } catch {
      ok = false;
    }
    const checks = recording().checks;
    checks[name] ??= { passes: 0, fails: 0 };
    checks[name][ok ? 'passes' : 'fails']++;
    record('checks', 'rate', ok ? 1 : 0, { check: name, ...tags });
    all &&= ok;
  }
  return all;
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Blocks like k6's sleep does: the VU's code is synchronous. */
export function sleep(seconds: number): void {
  if (seconds > 0) Atomics.wait(pause, 0, 0, seconds * 1000);
}

export function fail(message?: string): never {
  throw new Error(message ?? 'fail() called');
}

export default { check, group, sleep, fail };
