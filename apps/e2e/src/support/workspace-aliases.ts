// Jest loads the global setup without the project's moduleNameMapper, yet tools/stack imports
// `@dja/test-infra`. This maps the workspace aliases of tsconfig.base.json for Node's own
// resolver, the way the bundler and Jest map them, for as long as the stack module loads.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
const resolver = Module as unknown as { _resolveFilename: ResolveFilename };

/** Lets `require` resolve `@dja/*` aliases; returns the function that undoes it. */
export function resolveWorkspaceAliases(): () => void {
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8'));
  const aliases = new Map<string, string>(
    Object.entries(compilerOptions.paths as Record<string, string[]>).map(([alias, [target]]) => [
      alias,
      join(ROOT, target!),
    ]),
  );
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (this: unknown, request, ...rest) {
    return original.call(this, aliases.get(request) ?? request, ...rest);
  };
  return () => {
    resolver._resolveFilename = original;
  };
}

/** `require(request)` with the workspace aliases resolvable while it loads. */
export function requireWithWorkspaceAliases<T>(request: string): T {
  const undo = resolveWorkspaceAliases();
  try {
    return Module.createRequire(__filename)(request) as T;
  } finally {
    undo();
  }
}
