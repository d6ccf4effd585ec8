import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './repository';

/** An import placed in a file of the repository, and what ESLint says about it. */
interface Fixture {
  file: string;
  source: string;
}

/**
 * Lints each fixture as if it were that file, with the repository's eslint.config.mjs, in a
 * process of its own (ESLint loads its ES module config, which Jest's module system cannot).
 * Returns the rule ids and messages reported for each.
 */
async function lint(fixtures: Fixture[]): Promise<Array<Array<{ rule: string; message: string }>>> {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint({ cwd: process.cwd() });
    const results = [];
    for (const { file, source } of JSON.parse(process.env.FIXTURES)) {
      const [result] = await eslint.lintText(source, { filePath: file });
      results.push(result.messages.map((m) => ({ rule: m.ruleId, message: m.message })));
    }
    console.log(JSON.stringify(results));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      cwd: ROOT,
      env: { ...process.env, FIXTURES: JSON.stringify(fixtures), NX_DAEMON: 'false' },
      maxBuffer: 10 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout);
}

const importing = (file: string, specifier: string, name: string): Fixture => ({
  file: `${ROOT}/${file}`,
  source: `import { ${name} } from '${specifier}';\nexport const used = ${name};\n`,
});

describe('module boundaries', () => {
  let reports: Awaited<ReturnType<typeof lint>>;

  beforeAll(async () => {
    reports = await lint([
      importing('apps/orders-service/src/boundary-fixture.ts', '@dja/test-infra', 'waitFor'),
      importing('apps/orders-service/src/boundary-fixture.test.ts', '@dja/test-infra', 'waitFor'),
      importing('libs/messaging/src/boundary-fixture.ts', '@dja/test-infra', 'waitFor'),
      importing('apps/console/src/boundary-fixture.ts', '@dja/http', 'createLogger'),
      importing('libs/http/src/boundary-fixture.ts', '@dja/resource-server/testing', 'x'),
      importing('apps/orders-service/src/boundary-fixture.ts', '@dja/auth', 'requireAuth'),
    ]);
  }, 120_000);

  const boundaryErrors = (index: number) =>
    reports[index]!.filter((m) => m.rule === '@nx/enforce-module-boundaries').map((m) => m.message);

  it('fails the lint of a service module that imports test tooling (kind:testing)', () => {
    expect(boundaryErrors(0)).toEqual([
      expect.stringContaining(
        'A project tagged with "type:app" can only depend on libs tagged with "type:lib"',
      ),
    ]);
  });

  it('lets the same service import test tooling from its tests', () => {
    expect(reports[1]).toEqual([]);
  });

  it('fails the lint of a library module that imports test tooling', () => {
    expect(boundaryErrors(2)).toEqual([
      expect.stringContaining(
        'A project tagged with "type:lib" can only depend on libs tagged with "type:lib"',
      ),
    ]);
  });

  it('fails the lint of console code that imports a Node library (scope:console)', () => {
    expect(boundaryErrors(3)).toEqual([
      expect.stringContaining(
        'A project tagged with "scope:console" can only depend on libs tagged with "scope:console"',
      ),
    ]);
  });

  it("fails the lint of production code that imports a library's testing entry point", () => {
    expect(reports[4]!.map((m) => m.rule)).toContain('no-restricted-imports');
  });

  it('lets a service import a shared library', () => {
    expect(reports[5]).toEqual([]);
  });
});
