import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { z } from 'zod';

/**
 * A service's settings table, derived from its schema so that each setting is described once: the
 * meaning is the doc comment on the schema key (or, for a key built by a documented helper such
 * as `audience()`, that helper's doc comment), the default comes from the schema itself. A test
 * of each service compares its README with this; `UPDATE_DOCS=1` rewrites the README instead.
 */
export interface Setting {
  variable: string;
  /** As written in the environment, in backticks; `required` or `unset` when there is none. */
  default: string;
  meaning: string;
}

/**
 * How a list setting is written in the environment, for its default in the table: attach with
 * `.meta({ separator: ' ' })`, or `.meta({ json: true })` for JSON. Lists default to commas.
 */
export interface EnvFormat {
  separator?: string;
  json?: boolean;
}

const ROOT = join(__dirname, '../../../..');

/**
 * Every variable of `schema`, in schema order. `sourceFile` declares it as `exportName`
 * (`export const configSchema = z.object({ ... })`).
 */
export function documentedSettings(
  schema: z.ZodObject,
  sourceFile: string,
  exportName = 'configSchema',
): Setting[] {
  const meanings = docComments(sourceFile, exportName);
  return Object.entries(schema.shape).map(([variable, field]) => {
    const meaning = meanings.get(variable);
    if (!meaning) throw new Error(`${variable} has no doc comment in its schema: add /** … */`);
    return { variable, default: defaultOf(field as z.ZodType), meaning };
  });
}

/** The rows of the table between the settings markers of a README. */
export function readSettingsTable(readme: string): Setting[] {
  const [, table] = section(readFileSync(readme, 'utf8'), readme);
  return table
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // header and delimiter rows
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|'));
      return { variable: cells[0]!.replace(/^`|`$/g, ''), default: cells[1]!, meaning: cells[2]! };
    });
}

/** Replaces the table between the settings markers of a README, formatted as prettier would. */
export async function writeSettingsTable(
  readme: string,
  settings: readonly Setting[],
): Promise<void> {
  const text = readFileSync(readme, 'utf8');
  const [before, , after] = section(text, readme);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const table = [
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...settings.map((s) => `| \`${s.variable}\` | ${escape(s.default)} | ${escape(s.meaning)} |`),
  ].join('\n');
  writeFileSync(readme, `${before}\n\n${table}\n\n${after}`);
  // In a process of its own: prettier loads ES modules, which Jest's module system cannot.
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/prettier'), ['--write', readme]);
}

const BEGIN = '<!-- settings: generated from the schema in src/config.ts; see its test -->';
const END = '<!-- end of settings -->';

function section(text: string, readme: string): [string, string, string] {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${readme} has no "${BEGIN}" … "${END}" section`);
  return [
    text.slice(0, begin + BEGIN.length),
    text.slice(begin + BEGIN.length, end),
    text.slice(end),
  ];
}

/** The default as written in the environment, from the wrappers around the field. */
function defaultOf(field: z.ZodType): string {
  let format: EnvFormat = {};
  let optional = false;
  for (let node: z.ZodType | undefined = field; node;) {
    format = { ...(z.globalRegistry.get(node) as EnvFormat | undefined), ...format };
    const def = node.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.type === 'default') {
      return `\`${envText((def as unknown as { defaultValue: unknown }).defaultValue, format, def.innerType)}\``;
    }
    if (def.type === 'optional') optional = true;
    node = def.innerType ?? def.in;
  }
  return optional ? 'unset' : 'required';
}

function envText(value: unknown, format: EnvFormat, inner: z.ZodType | undefined): string {
  for (let node = inner; node;) {
    format = { ...(z.globalRegistry.get(node) as EnvFormat | undefined), ...format };
    const def = node.def as { innerType?: z.ZodType; in?: z.ZodType };
    node = def.innerType ?? def.in;
  }
  if (format.json) return JSON.stringify(value);
  if (Array.isArray(value)) return value.join(format.separator ?? ',');
  return String(value);
}

/**
 * The doc comment of every key of the object literal given to `z.object(…)` in the declaration
 * of `exportName`, spread keys included (the type checker follows `...serviceEnv` to the file
 * that documents it).
 */
function docComments(sourceFile: string, exportName: string): Map<string, string> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.base.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  const program = ts.createProgram([sourceFile], { ...config!.options, noEmit: true });
  const checker = program.getTypeChecker();
  const literal = schemaLiteral(program.getSourceFile(sourceFile)!, exportName);
  const meanings = new Map<string, string>();
  for (const property of checker.getTypeAtLocation(literal).getProperties()) {
    let doc = property.getDocumentationComment(checker);
    if (doc.length === 0) doc = helperDoc(property, checker);
    meanings.set(property.name, ts.displayPartsToString(doc).replace(/\s+/g, ' ').trim());
  }
  return meanings;
}

function schemaLiteral(file: ts.SourceFile, exportName: string): ts.ObjectLiteralExpression {
  let literal: ts.ObjectLiteralExpression | undefined;
  const inObjectCall = (node: ts.Node): void => {
    if (literal) return;
    const [argument] = ts.isCallExpression(node) ? node.arguments : [];
    if (
      ts.isCallExpression(node) &&
      node.expression.getText(file).replace(/\s+/g, '') === 'z.object' &&
      argument &&
      ts.isObjectLiteralExpression(argument)
    ) {
      literal = argument;
    } else {
      node.forEachChild(inObjectCall);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === exportName)
      inObjectCall(node);
    else node.forEachChild(visit);
  };
  visit(file);
  if (!literal) throw new Error(`${file.fileName}: no ${exportName} = z.object({ … })`);
  return literal;
}

/** For `AUDIENCE: audience('orders')`: the doc comment of the helper that builds the field. */
function helperDoc(property: ts.Symbol, checker: ts.TypeChecker): ts.SymbolDisplayPart[] {
  const declaration = property.valueDeclaration;
  if (!declaration || !ts.isPropertyAssignment(declaration)) return [];
  let call: ts.Expression = declaration.initializer;
  while (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) {
    call = call.expression.expression; // audience('x').optional() → audience('x')
  }
  if (!ts.isCallExpression(call)) return [];
  let helper = checker.getSymbolAtLocation(call.expression);
  if (helper && helper.flags & ts.SymbolFlags.Alias) helper = checker.getAliasedSymbol(helper);
  return helper?.getDocumentationComment(checker) ?? [];
}

/**
 * The test every service runs on its README: the settings table lists every variable of
 * `schema`, declared in `sourceFile` (`src/config.ts`), with the default and meaning the schema
 * gives. The README is the one beside `src/`; `UPDATE_DOCS=1` regenerates its table instead.
 */
export function describeSettingsTable(schema: z.ZodObject, sourceFile: string): void {
  describe('the settings table of the README', () => {
    const readme = join(dirname(sourceFile), '../README.md');

    it('lists every variable with the default and meaning the schema gives', async () => {
      const settings = documentedSettings(schema, sourceFile);
      if (process.env.UPDATE_DOCS) await writeSettingsTable(readme, settings);
      expect(readSettingsTable(readme)).toEqual(settings);
    }, 60_000);
  });
}
