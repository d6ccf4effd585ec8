import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULTS_DIR_ENV } from './support/results';

/** Makes the folder where each scenario leaves its figures; test files inherit process.env. */
export default function globalSetup(): void {
  process.env[RESULTS_DIR_ENV] = mkdtempSync(join(tmpdir(), 'dja-fault-results-'));
}
