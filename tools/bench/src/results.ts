/**
 * docs/bench/bench-results.json, the one file every benchmark's figures go to, and the
 * one-screen summary of a run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { BenchmarkResult, Figure } from './benchmark';

export const ROOT = join(__dirname, '../../..');
export const BENCH_DOCS = join(ROOT, 'docs/bench');
export const RESULTS_FILE = relative(process.cwd(), join(BENCH_DOCS, 'bench-results.json'));

interface StoredRun extends BenchmarkResult {
  ranAt: string;
  machine: { cpus: number; model: string; node: string; loadAverage: number[] };
}

interface ResultsFile {
  benchmarks: Record<string, StoredRun>;
}

/** Replaces the entries of the benchmarks that ran, keeping the others' last results. */
export async function mergeResults(results: BenchmarkResult[]): Promise<void> {
  const file = join(BENCH_DOCS, 'bench-results.json');
  const previous = await readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as Partial<ResultsFile>)
    .catch(() => ({}) as Partial<ResultsFile>);
  const benchmarks = { ...(previous.benchmarks ?? {}) };
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
  };
  const ranAt = new Date().toISOString();
  for (const result of results) benchmarks[result.benchmark] = { ...result, ranAt, machine };
  const options = { ...(await resolveConfig(file)), filepath: file };
  await writeFile(file, await format(JSON.stringify({ benchmarks }), options));
}

const formatValue = (f: Figure) =>
  f.unit === 'x' ? `${f.value.toFixed(2)}x` : `${f.value} ${f.unit}`;

const formatTarget = (f: Figure) => {
  if (!f.target) return '';
  const unit = f.unit === 'x' ? 'x' : ` ${f.unit}`;
  const { atLeast, atMost } = f.target;
  return [
    atLeast === undefined ? '' : `≥ ${atLeast}${unit}`,
    atMost === undefined ? '' : `≤ ${atMost}${unit}`,
  ]
    .filter(Boolean)
    .join(', ');
};

/** One line per figure: benchmark, label, value, judged by, target, met. */
export function summary(results: BenchmarkResult[], failed: string[] = []): string {
  const rows = results.flatMap((r) =>
    r.figures.map((f) => [
      r.benchmark,
      f.label,
      formatValue(f),
      f.judgedBy ? `vs ${f.judgedBy}` : '',
      formatTarget(f),
      f.met === undefined ? '' : f.met ? 'met' : 'NOT MET',
    ]),
  );
  const header = ['benchmark', 'figure', 'value', 'judged by', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const judged = results.flatMap((r) => r.figures).filter((f) => f.met !== undefined);
  return [
    '',
    line(header),
    ...rows.map(line),
    '',
    `${judged.filter((f) => f.met).length} of ${judged.length} targets met` +
      (failed.length > 0 ? `; failed to run: ${failed.join(', ')}` : ''),
  ].join('\n');
}

export const FULL_RUN_HEADING = '## Every target, one run (npm run bench)';

export interface RunWindow {
  startedAt: Date;
  endedAt: Date;
  /** Load average (1, 5, 15 minutes) when the run began and when it ended. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

/**
 * The docs section of a run of every benchmark: each judged figure, its value, target and whether
 * it is met, all from the one run, with when it ran and how busy the machine was.
 */
export function fullRunMarkdown(
  results: BenchmarkResult[],
  failed: string[],
  run: RunWindow,
): string {
  const judged = results.flatMap((r) =>
    r.figures.filter((f) => f.met !== undefined).map((f) => ({ benchmark: r.benchmark, f })),
  );
  const time = (d: Date) => d.toISOString().slice(11, 16);
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(', ');
  return [
    FULL_RUN_HEADING,
    '',
    `Written by \`npm run bench\` when it runs every benchmark. Run of ${run.startedAt.toISOString().slice(0, 10)},`,
    `${time(run.startedAt)} to ${time(run.endedAt)} UTC, Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'};`,
    `load average ${load(run.loadAtStart)} at the start and ${load(run.loadAtEnd)} at the end.`,
    failed.length > 0 ? `Failed to run: ${failed.join(', ')}.` : 'Every benchmark ran.',
    'What each figure measures, and what limits those not met, is in its section below.',
    '',
    '| benchmark | figure | value | judged by | target | met |',
    '| --- | --- | ---: | --- | --- | --- |',
    ...judged.map(
      ({ benchmark, f }) =>
        `| ${benchmark} | ${f.label} | ${formatValue(f)} | ${f.judgedBy ?? ''} | ${formatTarget(f)} | ${f.met ? 'yes' : '**no**'} |`,
    ),
    '',
    `${judged.filter(({ f }) => f.met).length} of ${judged.length} targets met.`,
    '',
  ].join('\n');
}
