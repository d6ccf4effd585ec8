import { randomBytes } from 'node:crypto';
import {
  buildImage,
  Compose,
  composeCommand,
  dockerEngineUnavailable,
  exec,
  imagesToBuild,
} from './support/docker';
import { COMPOSE_RUN_ENV, type ComposeRun } from './support/compose-run';

// globalSetup and globalTeardown run in the same process and share globalThis (Jest's contract).
const IMAGES = Symbol.for('dja.compose.images');
type WithImages = typeof globalThis & { [IMAGES]?: string[] };

/**
 * Finds a Docker Engine and builds every image docker-compose.yml names, under a tag of this
 * run's own (other runs on the machine keep theirs), then hands the run to the test files. With
 * no engine it says why in one line, and the files skip their tests (reported as skipped).
 */
export default async function globalSetup(): Promise<void> {
  const unavailable = await dockerEngineUnavailable();
  if (unavailable) {
    process.stderr.write(`\ncompose tests SKIPPED: ${unavailable}\n`);
    process.env[COMPOSE_RUN_ENV] = JSON.stringify({
      unavailable,
      command: [],
      tag: '',
      images: [],
    } satisfies ComposeRun);
    return;
  }
  const command = await composeCommand();
  const tag = `e2e-${randomBytes(4).toString('hex')}`;
  const builds = await imagesToBuild(new Compose(command, 'dja-config', { IMAGE_TAG: tag }));
  (globalThis as WithImages)[IMAGES] = builds.map((build) => build.image);
  const started = performance.now();
  for (const build of builds) {
    process.stderr.write(`compose: building ${build.image} (target ${build.target})\n`);
    await buildImage(build);
  }
  process.stderr.write(
    `compose: ${builds.length} images built in ${Math.round((performance.now() - started) / 1000)} s with ${command.join(' ')}\n`,
  );
  process.env[COMPOSE_RUN_ENV] = JSON.stringify({
    command,
    tag,
    images: builds.map((build) => build.image),
  } satisfies ComposeRun);
}

/** Removes this run's image tags; the layers stay as build cache for the next run. */
export async function globalTeardown(): Promise<void> {
  const images = (globalThis as WithImages)[IMAGES] ?? [];
  if (images.length > 0)
    await exec('docker', ['image', 'rm', '--no-prune', ...images]).catch(() => undefined);
}
