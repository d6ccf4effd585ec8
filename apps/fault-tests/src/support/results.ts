import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The env var through which the global setup tells test files where to leave their figures. */
export const RESULTS_DIR_ENV = 'DJA_FAULT_RESULTS_DIR';

/** What one scenario measured, for docs/reliability.md. */
export interface ScenarioResult {
  /** Orders the sections of the report, e.g. 1 for the auth-service outage. */
  order: number;
  title: string;
  /** Figure name → value, in the order they should be read. */
  figures: Record<string, string | number>;
  /** What the figures mean, one sentence each. */
  notes?: string[];
  /** Set by `markPassed` once every assertion of the scenario held. */
  passed?: boolean;
}

/** Leaves a scenario's figures for the report; outside a fault-tests run it does nothing. */
export function recordScenario(id: string, result: ScenarioResult): void {
  const dir = process.env[RESULTS_DIR_ENV];
  if (!dir) return;
  writeFileSync(join(dir, `${id}.json`), JSON.stringify(result, null, 2));
}

/** Marks a recorded scenario as having met every assertion; call it after the last `expect`. */
export function markPassed(id: string): void {
  const dir = process.env[RESULTS_DIR_ENV];
  if (!dir) return;
  const file = join(dir, `${id}.json`);
  const result = JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult;
  writeFileSync(file, JSON.stringify({ ...result, passed: true }, null, 2));
}
