import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '../..');

const run = promisify(execFile);

export const DOCKER_COMPOSE_MISSING =
  'docker-compose not found: install it with `apt-get install -y docker-compose` (Compose 1.29 validates the file without a Docker engine).';

/** `docker-compose -f docker-compose.yml <args>` at the repository root; stdout. */
export async function dockerCompose(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', ...args], {
      cwd: ROOT,
      maxBuffer: 10 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string; message: string };
    if (failure.code === 'ENOENT') throw new Error(DOCKER_COMPOSE_MISSING);
    throw new Error(
      `docker-compose ${args.join(' ')} failed: ${failure.stderr?.trim() || failure.message}`,
    );
  }
}
