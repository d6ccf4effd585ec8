import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { Recording } from './recorder';
import type { PlanStep } from './runner';
import type { ThresholdResult } from './thresholds';

export type { PlanStep };

export interface ShimRun extends Recording {
  /** Exceptions thrown by iterations (k6 would log them and carry on). */
  errors: string[];
  thresholds: ThresholdResult[];
  /** The keys handleSummary returned (file names and stdout). */
  summaryFiles: string[];
}

const SCRIPTS = join(__dirname, '../..');

/** Resolves k6's modules to the shim, and the runner's placeholder to the script under test. */
function k6Shim(script: string): Plugin {
  return {
    name: 'k6-shim',
    setup(builder) {
      builder.onResolve({ filter: /^k6(\/[a-z]+)?$/ }, ({ path }) => ({
        path: join(__dirname, `${path === 'k6' ? 'k6' : path.slice(3)}.ts`),
      }));
      builder.onResolve({ filter: /^k6-script-under-test$/ }, () => ({ path: script }));
    },
  };
}

/**
 * Runs a k6 script from load-tests/ under Node with the shim, calling its functions as `plan`
 * says, one VU per step, in a child process (the shim blocks its thread on every request).
 */
export async function runK6Script(
  name: string,
  { env, plan }: { env: Record<string, string>; plan: PlanStep[] },
): Promise<ShimRun> {
  const dir = await mkdtemp(join(tmpdir(), `k6-shim-${name}-`));
  try {
    const bundle = join(dir, 'bundle.cjs');
    await build({
      entryPoints: [join(__dirname, 'runner.ts')],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
      plugins: [k6Shim(join(SCRIPTS, `${name}.ts`))],
    });
    const resultFile = join(dir, 'result.json');
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [bundle], {
        env: {
          PATH: process.env.PATH ?? '',
          K6_SHIM_ENV: JSON.stringify({ SUMMARY_DIR: dir, ...env }),
          K6_SHIM_PLAN: JSON.stringify(plan),
          K6_SHIM_RESULT: resultFile,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`${name}.ts exited with ${code}:\n${output.join('')}`);
    return JSON.parse(await readFile(resultFile, 'utf8')) as ShimRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Check names that failed at least once, with their counts, for readable assertion output. */
export function failedChecks(run: ShimRun): Record<string, number> {
  return Object.fromEntries(
    Object.entries(run.checks)
      .filter(([, { fails }]) => fails > 0)
      .map(([name, { fails }]) => [name, fails]),
  );
}

/** Sum of a counter, optionally over the samples whose tags include `tags`. */
export function counted(run: ShimRun, metric: string, tags: Record<string, string> = {}): number {
  return (run.metrics[metric]?.samples ?? [])
    .filter((s) => Object.entries(tags).every(([k, v]) => s.tags[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
