import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first directory in `dirs` that holds every one of `programs` as an executable file. */
export function findBinDir(
  dirs: readonly string[],
  programs: readonly string[],
): string | undefined {
  return dirs.find((dir) => programs.every((program) => isExecutable(join(dir, program))));
}

/** The directories of $PATH in `env`. */
export function pathDirs(env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? '').split(delimiter).filter(Boolean);
}

/**
 * Subdirectories of `parent` matching `<parent>/<version>/<suffix>`, newest version first
 * (e.g. /usr/lib/postgresql/16/bin before /usr/lib/postgresql/15/bin).
 */
export function versionedDirs(parent: string, suffix: string): string[] {
  let versions: string[];
  try {
    versions = readdirSync(parent);
  } catch {
    return [];
  }
  return versions
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((version) => join(parent, version, suffix));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
