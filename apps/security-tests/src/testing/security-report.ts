import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecurityCase } from '../cases/security-case';

const ROOT = join(__dirname, '../../../..');
export const REPORT_PATH = join(ROOT, 'docs/security.md');
const PRETTIER_CLI = join(ROOT, 'node_modules/prettier/bin/prettier.cjs');

/** What one request of a case got back. */
export interface Observation {
  service: string;
  via: string;
  status: number;
  bearerError: string | null | undefined;
}

/** A row outside the per-service table: token endpoint, login throttle, flood, ownership. */
export interface ScenarioRow {
  id: string;
  reference: string;
  what: string;
  observed: string;
}

export interface ReportInput {
  cases: readonly SecurityCase[];
  observations: ReadonlyMap<string, readonly Observation[]>;
  scenarios: readonly ScenarioRow[];
  figures: readonly string[];
  targets: string;
}

const INTRO = `# Security test results

This file is written by \`apps/security-tests\` (\`npm run test:security\`, also part of
\`npm test\`) at the end of every run: do not edit it by hand, edit
\`apps/security-tests/src/testing/security-report.ts\`. The suite starts one local stack, mints
tokens on the spot (valid ones with the auth service's own signing key, imported through
\`SIGNING_KEY_FILE\`, so that each claim and header check is tested in isolation; forged ones with
attacker keys) and sends every case below to every resource service (orders, profile,
notifications), once through the nginx gateway and once straight at each replica. A case passes
only if every one of those requests got the status and RFC 6750 \`error\` listed as expected;
none may answer 2xx (except the controls, which prove the targets accept good tokens) or 5xx.
The families follow RFC 8725 (JWT Best Current Practices), the OWASP JWT cheat sheet and the
attacks of jwt_tool.`;

/** The markdown of docs/security.md, formatted as the repository's Prettier config wants it. */
export function renderSecurityReport(input: ReportInput): Promise<string> {
  const lines = [INTRO, '', `Targets of this run: ${input.targets}.`, ''];
  lines.push('## Crafted tokens and requests', '');
  lines.push('| Case | Family | Request | Reference | Expected | Observed |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const item of input.cases) {
    const observed = input.observations.get(item.id) ?? [];
    const expected = typeof item.expect === 'function' ? 'see observed' : outcome(item.expect);
    lines.push(
      `| \`${item.id}\` | ${item.family} | ${cell(item.title)} | ${cell(item.reference)} | ${expected} | ${summarise(observed)} |`,
    );
  }
  lines.push('', '## Sessions, logins, key flood and ownership', '');
  lines.push('| Scenario | What | Reference | Observed |', '| --- | --- | --- | --- |');
  for (const row of input.scenarios) {
    lines.push(
      `| \`${row.id}\` | ${cell(row.what)} | ${cell(row.reference)} | ${cell(row.observed)} |`,
    );
  }
  lines.push('', '## Figures of this run', '', ...input.figures.map((figure) => `- ${figure}`), '');
  return formatWithPrettier(lines.join('\n'));
}

/** Prettier's own CLI (its API needs ESM dynamic import, which Jest's CommonJS VM lacks). */
function formatWithPrettier(markdown: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [PRETTIER_CLI, '--stdin-filepath', REPORT_PATH],
      { maxBuffer: 10 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stdin?.end(markdown);
  });
}

export async function writeSecurityReport(input: ReportInput): Promise<void> {
  await writeFile(REPORT_PATH, await renderSecurityReport(input));
}

function outcome(expect: { status: number | readonly number[]; bearerError?: string | null }) {
  const status =
    typeof expect.status === 'number' ? String(expect.status) : expect.status.join('/');
  return expect.bearerError ? `${status} \`${expect.bearerError}\`` : status;
}

function describe(observation: Observation): string {
  const status = observation.status === 0 ? 'connection closed' : String(observation.status);
  return observation.bearerError ? `${status} \`${observation.bearerError}\`` : status;
}

/** "401 `invalid_token` (8/8)", or the answers per kind of target when they differ. */
function summarise(observations: readonly Observation[]): string {
  if (observations.length === 0) return 'not run';
  const all = new Set(observations.map(describe));
  if (all.size === 1) return `${[...all][0]} (${observations.length}/${observations.length})`;
  const gateway = observations.filter((o) => o.via === 'gateway');
  const direct = observations.filter((o) => o.via !== 'gateway');
  const part = (label: string, list: Observation[]) => {
    const counts = new Map<string, number>();
    for (const o of list) counts.set(describe(o), (counts.get(describe(o)) ?? 0) + 1);
    return `${label}: ${[...counts].map(([text, n]) => `${text} (${n}/${list.length})`).join(', ')}`;
  };
  return `${part('gateway', gateway)}; ${part('replicas', direct)}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
