import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@dja/test-infra';
import { SERVICE_NAMES, SERVICES, type ServiceName } from './topology';

export const NGINX_NOT_FOUND_MESSAGE =
  'nginx not found. Install it with `apt-get install -y nginx-light` (Debian) or put nginx on PATH.';

const TEMPLATE = join(__dirname, '../../../infra/gateway/gateway.conf.template');
/** Where `nx run console:build` puts the console, which the gateway serves at `/`. */
export const CONSOLE_ROOT = join(__dirname, '../../../dist/apps/console');

/** Fills the `${NAME}` placeholders of the gateway template; an unknown one is an error. */
export function renderGatewayConfig(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`gateway template: no value for \${${name}}`);
    return value;
  });
}

/**
 * The template's service placeholders for replicas on 127.0.0.1 ports: one upstream group per
 * service (passive health checks per server, kept-alive connections), each named by its
 * service's placeholder. Compose fills the same placeholders with Docker's DNS instead.
 */
export function localServiceDiscovery(
  addresses: Record<ServiceName, readonly string[]>,
): Record<string, string> {
  const group = (service: ServiceName) => `${service}_service`;
  const blocks = SERVICE_NAMES.map((service) =>
    [
      `upstream ${group(service)} {`,
      ...addresses[service].map((address) => `    server ${address} max_fails=1 fail_timeout=5s;`),
      '    keepalive 32;',
      '}',
    ].join('\n'),
  );
  return {
    SERVICE_DISCOVERY: blocks.join('\n\n'),
    ...Object.fromEntries(
      SERVICE_NAMES.map((service) => [SERVICES[service].upstream, group(service)]),
    ),
  };
}

export interface RunningGateway {
  url: string;
  /** The listener services use to reach each other. */
  internalUrl: string;
  stop(): Promise<void>;
}

/**
 * A copy of the console that nginx's workers can read. Started as root, nginx serves files from
 * worker processes running as `nobody`, who cannot enter a checkout under a private directory
 * (`mktemp -d`, a home directory): the copy lives in a fresh directory of the system's temporary
 * directory, readable by all. It is the console as built when the gateway started.
 */
async function publishConsole(
  consoleRoot: string,
): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'dja-console-'));
  if (existsSync(consoleRoot)) await cp(consoleRoot, root, { recursive: true });
  await makeWorldReadable(root);
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

async function makeWorldReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWorldReadable(path);
    else await chmod(path, 0o644);
  }
}

/**
 * Runs nginx in the foreground with everything (pid, temp files, logs) under `dir`, serving a
 * readable copy of the console at `consoleRoot`.
 */
export async function startGateway(
  dir: string,
  port: number,
  internalPort: number,
  serviceDiscovery: Record<string, string>,
  consoleRoot: string = CONSOLE_ROOT,
): Promise<RunningGateway> {
  const nginx =
    ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((path) => existsSync(path)) ?? 'nginx';
  await mkdir(join(dir, 'logs'), { recursive: true });
  const published = await publishConsole(consoleRoot);
  const gateway = renderGatewayConfig(await readFile(TEMPLATE, 'utf8'), {
    ...serviceDiscovery,
    GATEWAY_PORT: `127.0.0.1:${port}`,
    INTERNAL_GATEWAY_PORT: `127.0.0.1:${internalPort}`,
    CONSOLE_ROOT: published.root,
  });
  await writeFile(join(dir, 'gateway.conf'), gateway);
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      'pid nginx.pid;',
      'error_log logs/error.log warn;',
      'events { worker_connections 4096; }',
      'http {',
      '  access_log logs/access.log;',
      '  client_body_temp_path tmp/body; proxy_temp_path tmp/proxy; fastcgi_temp_path tmp/fastcgi;',
      '  uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;',
      '  include gateway.conf;',
      '}',
    ].join('\n'),
  );
  await mkdir(join(dir, 'tmp'), { recursive: true });

  const child: ChildProcess = spawn(nginx, ['-p', dir, '-c', 'nginx.conf', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.once('error', () => resolve(-1));
  });
  const url = `http://127.0.0.1:${port}`;
  let failed: Error | undefined;
  void exited.then((code) => {
    failed = new Error(
      code === -1 ? NGINX_NOT_FOUND_MESSAGE : `nginx exited with code ${code}: ${stderr.trim()}`,
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT');
      await exited;
    }
    await published.remove();
  };
  try {
    await waitFor(
      async () => {
        if (failed) throw failed;
        const response = await fetch(`${url}/gateway/health`).catch(() => undefined);
        return response?.ok;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: 'nginx gateway' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, internalUrl: `http://127.0.0.1:${internalPort}`, stop };
}
