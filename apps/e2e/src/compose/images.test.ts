// The service images as built for this run, checked by running them: who they run as, what
// they carry, and how big they are. (That they serve with a read-only root file system is
// proven by the compose stack test, whose replicas all run read-only.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeRun } from './support/compose-run';
import { exec, REPOSITORY_ROOT } from './support/docker';

const run = composeRun();
const describeWithDocker = run.unavailable ? describe.skip : describe;
const serviceImages = run.images.filter((image) => /\/[a-z]+-service:/.test(image));
/**
 * Packages the lockfile installs only for development (`dev`, or `devOptional`: dev, or an
 * optional peer such as the Prisma CLI that @prisma/client names), as paths under the app.
 */
const devOnlyPackages = Object.entries(
  (
    JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    }
  ).packages,
)
  .filter(([path, flags]) => path.startsWith('node_modules/') && (flags.dev || flags.devOptional))
  .map(([path]) => path);

/** Runs `command` in a throw-away container of the image, bypassing its entrypoint. */
function inImage(image: string, command: string[], user?: string): Promise<string> {
  const [entrypoint, ...args] = command as [string, ...string[]];
  return exec('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    ...(user ? ['--user', user] : []),
    '--entrypoint',
    entrypoint,
    image,
    ...args,
  ]);
}

const megabytes = async (image: string) =>
  Math.round(
    Number(await exec('docker', ['image', 'inspect', '--format', '{{.Size}}', image])) / 1e6,
  );

describeWithDocker('the service images', () => {
  it('have service images to check', () => {
    expect(serviceImages).toHaveLength(4);
  });

  it.each(serviceImages)('%s runs as a non-root user', async (image) => {
    expect((await inImage(image, ['id', '-u'])).trim()).not.toBe('0');
  });

  it.each(serviceImages)(
    '%s starts through its entrypoint on a read-only file system',
    async (image) => {
      const output = await exec('docker', [
        'run',
        '--rm',
        '--read-only',
        '--network',
        'none',
        image,
        'node',
        '-e',
        'process.stdout.write(process.env.REPLICA_ID ?? "")',
      ]);
      // No compose name to read here, so the replica keeps its hostname.
      expect(output).toMatch(/^[0-9a-f]{12}$/);
    },
  );

  it('knows the development-only packages of the lockfile', () => {
    expect(devOnlyPackages).toEqual(
      expect.arrayContaining([
        'node_modules/jest',
        'node_modules/prisma',
        'node_modules/typescript',
      ]),
    );
  });

  it.each(serviceImages)('%s holds no development-only package and no npm cache', async (image) => {
    const present = await inImage(image, [
      'node',
      '-e',
      `const paths = ${JSON.stringify(devOnlyPackages)};
       process.stdout.write(JSON.stringify(paths.filter((p) => require('fs').existsSync(p))));`,
    ]);
    expect(JSON.parse(present)).toEqual([]);
    const caches = await inImage(
      image,
      ['sh', '-c', 'find / -xdev \\( -name _cacache -o -name .npm \\) -print 2>/dev/null; true'],
      '0',
    );
    expect(caches.trim()).toBe('');
  });

  it('reports each image’s size against its Node base image', async () => {
    const base = await megabytes(
      /^ARG NODE_IMAGE=(\S+)/m.exec(readFileSync(join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'))![1]!,
    );
    const sizes: Record<string, number> = {};
    for (const image of run.images) sizes[image] = await megabytes(image);
    process.stderr.write(
      `compose: image sizes (MB, Node base ${base}): ${JSON.stringify(sizes, null, 1)}\n`,
    );
    // What a service adds on top of Node: its bundle and production dependencies.
    for (const image of serviceImages) {
      expect({ image, addedMB: sizes[image]! - base < 120 }).toEqual({ image, addedMB: true });
    }
  });
});
