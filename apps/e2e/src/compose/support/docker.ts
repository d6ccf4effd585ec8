import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);

export const REPOSITORY_ROOT = join(__dirname, '../../../../..');

/** Runs a command at the repository root; stdout. A failure carries the command's stderr. */
export async function exec(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd: REPOSITORY_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    const output = `${failure.stderr ?? ''}${failure.stdout ?? ''}`.trim().slice(-4000);
    throw new Error(`${command} ${args.join(' ')} failed: ${output || failure.message}`);
  }
}

/** Why no Docker Engine can be used here, or undefined when one answers. */
export async function dockerEngineUnavailable(): Promise<string | undefined> {
  try {
    await exec('docker', ['info', '--format', '{{.ServerVersion}}']);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.includes('ENOENT')
      ? 'the docker command is not installed'
      : 'docker info found no running Docker Engine';
    return `${reason} (on the project's Debian machines, ../shared/tools/container-standins/docker-up starts one)`;
  }
}

/** `docker compose` (v2) when the CLI has it, else `docker-compose` (v1). */
export async function composeCommand(): Promise<string[]> {
  const v2 = await exec('docker', ['compose', 'version']).then(
    () => true,
    () => false,
  );
  return v2 ? ['docker', 'compose'] : ['docker-compose'];
}

/** One image docker-compose.yml builds: its tag and the Dockerfile target and args it names. */
export interface ImageBuild {
  service: string;
  image: string;
  target: string;
  args: Record<string, string>;
}

/** Every image docker-compose.yml builds, as `config` resolves it (one per distinct tag). */
export async function imagesToBuild(compose: Compose): Promise<ImageBuild[]> {
  const config = parse(await compose.run(['config'])) as {
    services: Record<
      string,
      { image?: string; build?: { target?: string; args?: Record<string, string> } }
    >;
  };
  const builds = new Map<string, ImageBuild>();
  for (const [service, { image, build }] of Object.entries(config.services)) {
    if (!build || !image || builds.has(image)) continue;
    builds.set(image, { service, image, target: build.target ?? '', args: build.args ?? {} });
  }
  return [...builds.values()];
}

/**
 * `docker build` of one image. Compose v1 cannot pass a build network, and on machines whose
 * containers have no route out `npm ci` needs the host's: DOCKER_BUILD_NETWORK names it.
 */
export async function buildImage(build: ImageBuild): Promise<void> {
  const network = process.env.DOCKER_BUILD_NETWORK;
  await exec('docker', [
    'build',
    '--quiet',
    ...(network ? ['--network', network] : []),
    '--target',
    build.target,
    ...Object.entries(build.args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
    '--tag',
    build.image,
    '.',
  ]);
}

/** A container of a compose project, as `docker ps` and `docker inspect` describe it. */
export interface Container {
  id: string;
  name: string;
  service: string;
  /** The replica number compose gave it: `orders-service-2` is number 2. */
  number: number;
  state: string;
  health: string | undefined;
  exitCode: number;
  startedAt: string;
}

/** The Compose CLI bound to one project and its environment. */
export class Compose {
  constructor(
    readonly command: readonly string[],
    readonly project: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  run(args: readonly string[]): Promise<string> {
    const [command, ...prefix] = this.command as [string, ...string[]];
    return exec(command, [...prefix, '-p', this.project, '-f', 'docker-compose.yml', ...args], {
      ...process.env,
      ...this.env,
    });
  }

  /** Every container of the project, running or not. */
  async containers(): Promise<Container[]> {
    const ids = (
      await exec('docker', [
        'ps',
        '--all',
        '--quiet',
        '--filter',
        `label=com.docker.compose.project=${this.project}`,
      ])
    )
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    const inspected = JSON.parse(await exec('docker', ['inspect', ...ids])) as Array<{
      Id: string;
      Name: string;
      Config: { Labels: Record<string, string> };
      State: {
        Status: string;
        ExitCode: number;
        StartedAt: string;
        Health?: { Status: string };
      };
    }>;
    return inspected.map((c) => ({
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      service: c.Config.Labels['com.docker.compose.service'] ?? '',
      number: Number(c.Config.Labels['com.docker.compose.container-number']),
      state: c.State.Status,
      health: c.State.Health?.Status,
      exitCode: c.State.ExitCode,
      startedAt: c.State.StartedAt,
    }));
  }

  async running(service: string): Promise<Container[]> {
    return (await this.containers()).filter((c) => c.service === service && c.state === 'running');
  }

  /** Networks and volumes compose made for the project, by its label. */
  async leftovers(): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const label = `label=com.docker.compose.project=${this.project}`;
    const list = async (args: string[]) =>
      (await exec('docker', [...args, '--filter', label])).split('\n').filter(Boolean);
    return {
      containers: await list(['ps', '--all', '--format', '{{.Names}}']),
      networks: await list(['network', 'ls', '--format', '{{.Name}}']),
      volumes: await list(['volume', 'ls', '--format', '{{.Name}}']),
    };
  }
}
