import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder to use as the whole of $PATH: a `node` that reports `nodeVersion` (and otherwise is
 * this Node.js) and stand-ins for `programs`. Programs that Debian installs outside of $PATH
 * (initdb, rabbitmq-server, nginx) are still found where the packages put them.
 */
export async function fakePath(options: {
  nodeVersion?: string;
  programs?: readonly string[];
}): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'dja-setup-path-'));
  if (options.nodeVersion) {
    await writeExecutable(
      join(dir, 'node'),
      `#!/bin/sh\n[ "$1" = --version ] && { echo ${options.nodeVersion}; exit 0; }\nexec ${process.execPath} "$@"\n`,
    );
  }
  for (const program of options.programs ?? []) {
    await writeExecutable(join(dir, program), '#!/bin/sh\nexit 0\n');
  }
  await symlink('/bin/sh', join(dir, 'sh'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}
