/**
 * Entry point of a shim run, bundled together with one k6 script and started as a child
 * process: runs setup(), the planned calls of the script's functions, teardown(), evaluates
 * the script's thresholds and calls handleSummary(), then writes everything to K6_SHIM_RESULT.
 */
import './globals';
import { writeFileSync } from 'node:fs';
import * as script from 'k6-script-under-test';
import { setExecution } from './execution';
import { recording } from './recorder';
import { evaluateThresholds } from './thresholds';

export interface PlanStep {
  /** An exported function of the script; `default` for the default function. */
  exec: string;
  iterations: number;
  vu?: number;
}

const plan = JSON.parse(process.env.K6_SHIM_PLAN ?? '[]') as PlanStep[];
const errors: string[] = [];
const globals = globalThis as typeof globalThis & { __VU: number; __ITER: number };

const data = typeof script.setup === 'function' ? script.setup() : undefined;
let iterationInTest = 0;
for (const step of plan) {
  const fn = (script as unknown as Record<string, (data: unknown) => void>)[step.exec];
  if (typeof fn !== 'function') throw new Error(`the script exports no function ${step.exec}`);
  const vu = step.vu ?? 1;
  for (let iteration = 0; iteration < step.iterations; iteration++) {
    globals.__VU = vu;
    globals.__ITER = iteration;
    setExecution({ vu, iteration, scenario: step.exec, iterationInTest: iterationInTest++ });
    try {
      fn(data);
    } catch (error) {
      // k6 logs an exception in an iteration and goes on with the next one.
      errors.push(`${step.exec}#${iteration}: ${(error as Error).stack ?? error}`);
    }
  }
}
if (typeof script.teardown === 'function') script.teardown(data);

const { metrics, checks } = recording();
const thresholds = evaluateThresholds(script.options?.thresholds ?? {}, metrics);
const summaryMetrics: Record<
  string,
  { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
> = {};
for (const [name, metric] of Object.entries(metrics)) {
  summaryMetrics[name] = {
    type: metric.type,
    values: { count: metric.samples.length },
  };
}
for (const result of thresholds) {
  const name = result.metric;
  summaryMetrics[name] ??= { type: 'unknown', values: {} };
  summaryMetrics[name].thresholds ??= {};
  summaryMetrics[name].thresholds![result.threshold] = { ok: result.ok };
}
const summary =
  typeof script.handleSummary === 'function'
    ? script.handleSummary({ metrics: summaryMetrics, options: script.options })
    : {};

writeFileSync(
  process.env.K6_SHIM_RESULT!,
  JSON.stringify({ metrics, checks, errors, thresholds, summaryFiles: Object.keys(summary) }),
);
