import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_TYPES_URL } from '@dja/http';
import { ROOT } from './repository';

/** Production sources (tests excluded) under the given folders, recursively. */
function sources(...folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules' || name === 'generated' || name === 'testing') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name)) files.push(path);
    }
  };
  for (const folder of folders) walk(join(ROOT, folder));
  return files;
}

const DOCUMENTED = new Set(
  [...readFileSync(join(ROOT, 'docs/problems.md'), 'utf8').matchAll(/^### ([a-z_]+)$/gm)].map(
    (match) => match[1]!,
  ),
);

/** Codes given to a ProblemError (`code: '…'`), the bearer codes of libs/auth, the gateway's. */
function codesInUse(): Set<string> {
  const codes = new Set<string>();
  const appSources = readdirSync(join(ROOT, 'apps')).map((app) => `apps/${app}/src`);
  const libSources = readdirSync(join(ROOT, 'libs')).map((lib) => `libs/${lib}/src`);
  for (const file of sources(...appSources, ...libSources)) {
    const text = readFileSync(file, 'utf8');
    for (const [, code] of text.matchAll(/\bcode: '([a-z_]+)'/g)) {
      if (code !== 'custom') codes.add(code!); // zod's issue code, not a problem
    }
  }
  const bearer = readFileSync(join(ROOT, 'libs/auth/src/errors.ts'), 'utf8');
  for (const [, code] of bearer.matchAll(/bearerError: '([a-z_]+)'/g)) codes.add(code!);
  codes.add('unauthorized'); // a missing token: a challenge without an error code
  const gateway = readFileSync(join(ROOT, 'infra/gateway/gateway.conf.template'), 'utf8');
  for (const [, code] of gateway.matchAll(/problems\.md#([a-z_]+)/g)) codes.add(code!);
  return codes;
}

describe('problem types', () => {
  const inUse = codesInUse();

  it('documents every problem code the services and the gateway can answer', () => {
    expect([...inUse].filter((code) => !DOCUMENTED.has(code))).toEqual([]);
  });

  it('documents no code that nothing answers', () => {
    expect([...DOCUMENTED].filter((code) => !inUse.has(code))).toEqual([]);
  });

  it('uses one https page for the types of the services and the gateway', () => {
    expect(PROBLEM_TYPES_URL).toMatch(/^https:\/\/.+\/docs\/problems\.md$/);
    const gateway = readFileSync(join(ROOT, 'infra/gateway/gateway.conf.template'), 'utf8');
    expect(gateway).not.toContain('urn:problem');
    for (const [, type] of gateway.matchAll(/"type":"([^"]+)"/g)) {
      expect(type).toContain(PROBLEM_TYPES_URL);
    }
  });
});
