/** Benchmarks that write their own section of docs/benchmarks.md and a chart in docs/bench/. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { type ChartRow, chartSvg, renderPng } from './chart';
import { BENCH_DOCS, ROOT } from './results';

/**
 * Replaces (or appends) the section that starts with `heading` (a `## ` line) in
 * docs/benchmarks.md, formatted as `npm run format:check` expects, leaving the others.
 */
export async function writeDocsSection(heading: string, markdown: string): Promise<void> {
  const file = join(ROOT, 'docs/benchmarks.md');
  const page = await readFile(file, 'utf8');
  const options = { ...(await resolveConfig(file)), filepath: file };
  const section = await format(markdown, options);
  const start = page.indexOf(heading);
  let next: string;
  if (start === -1) next = `${page.trimEnd()}\n\n${section}`;
  else {
    const end = page.indexOf('\n## ', start + heading.length);
    next = page.slice(0, start) + section + (end === -1 ? '' : `\n${page.slice(end + 1)}`);
  }
  await writeFile(file, next);
}

/** docs/bench/<name>.png: the bar chart of tools/bench/src/chart.ts. */
export async function writeChart(name: string, title: string, rows: ChartRow[]): Promise<void> {
  await mkdir(BENCH_DOCS, { recursive: true });
  await renderPng(chartSvg(title, rows), join(BENCH_DOCS, `${name}.png`));
}
