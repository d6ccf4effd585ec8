import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderReport } from './report/render-report';
import { RESULTS_DIR_ENV, type ScenarioResult } from './support/results';

const ROOT = join(__dirname, '../../..');

/** Writes docs/reliability.md from the figures this run recorded, after the hand-written intro. */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env[RESULTS_DIR_ENV];
  if (!dir) return;
  const results = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ScenarioResult);
  rmSync(dir, { recursive: true, force: true });
  if (results.length === 0) return;
  const intro = readFileSync(join(__dirname, 'report/intro.md'), 'utf8');
  const target = join(ROOT, 'docs/reliability.md');
  // Formatted as `npm run format:check` expects, so a fresh report never fails that check.
  const markdown = await format(renderReport(intro, results, new Date()), {
    ...(await resolveConfig(target)),
    filepath: target,
  });
  writeFileSync(target, markdown);
}
