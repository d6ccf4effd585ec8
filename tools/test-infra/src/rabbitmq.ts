import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { amqpHandshake } from './amqp-handshake';
import { findBinDir, pathDirs, versionedDirs } from './find-binaries';
import { freePort } from './ports';
import { linkRequiredPlugins } from './rabbitmq-plugins';
import { startReaper } from './reaper';
import { runCommand, shellQuote } from './run-command';
import { waitFor } from './wait-for';

export interface StartRabbitMQOptions {
  /** Where TEST_AMQP_URL and PATH are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * RabbitMQ's own scripts. Default /usr/lib/rabbitmq/bin (Debian's /usr/sbin/rabbitmq-server
   * switches to the `rabbitmq` user, who cannot write our temp dir).
   */
  binDir?: string;
  /** Also start the management plugin (HTTP API and UI) on a free port; adds start-up time. */
  management?: boolean;
  /** Erlang scheduler threads. Default 1: tests share two cores with Jest and the services. */
  schedulers?: number;
  /** Default 60 s. */
  startTimeoutMs?: number;
}

export interface RabbitMQServer {
  /** e.g. amqp://guest:guest@127.0.0.1:41234 */
  url: string;
  port: number;
  managementPort?: number;
  /** Erlang node name, for `rabbitmqctl -n`. Undefined for TEST_AMQP_URL. */
  nodeName?: string;
  /** Stops the broker for good and deletes its files; a no-op for TEST_AMQP_URL. Idempotent. */
  stop(): Promise<void>;
  /**
   * Takes the broker down but keeps its port, node and data (durable queues survive) for
   * `startBroker()`. `kill: true` simulates a crash (SIGKILL) instead of a clean shutdown,
   * which closes client connections with a Connection.Close first.
   */
  stopBroker(options?: { kill?: boolean }): Promise<void>;
  /** Starts the broker again on the same port after `stopBroker()`. */
  startBroker(): Promise<void>;
  /** `stopBroker()` then `startBroker()`. */
  restart(options?: { kill?: boolean }): Promise<void>;
  /** Runs `rabbitmqctl` against this node, e.g. `['list_queues', 'name', 'messages']`. */
  rabbitmqctl(args: readonly string[]): Promise<string>;
}

export const RABBITMQ_NOT_FOUND_MESSAGE =
  'RabbitMQ not found. Install it with `apt-get install -y rabbitmq-server` ' +
  'or set TEST_AMQP_URL=amqp://user:pass@host:port';

/**
 * Starts a throw-away RabbitMQ node on free ports of 127.0.0.1, or returns the broker named by
 * TEST_AMQP_URL without starting anything.
 */
export async function startRabbitMQ(options: StartRabbitMQOptions = {}): Promise<RabbitMQServer> {
  const env = options.env ?? process.env;
  if (env.TEST_AMQP_URL) return externalBroker(env.TEST_AMQP_URL);

  const binDir = options.binDir ?? '/usr/lib/rabbitmq/bin';
  if (!findBinDir([binDir], ['rabbitmq-server', 'rabbitmqctl'])) {
    throw new Error(RABBITMQ_NOT_FOUND_MESSAGE);
  }
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const dir = await mkdtemp(join(tmpdir(), 'dja-rabbitmq-'));
  const nodeName = `dja-${process.pid}-${randomBytes(3).toString('hex')}@localhost`;
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const managementPort = options.management ? await freePort() : undefined;
  const epmd = join(
    findBinDir([...pathDirs(env), ...versionedDirs('/usr/lib/erlang', 'bin')], ['epmd']) ?? '',
    'epmd',
  );
  const groupFile = join(dir, 'broker.pgid');
  const nodeLog = join(dir, 'log', `${nodeName}.log`);
  const consoleLog = join(dir, 'broker.out');

  // Killing the process group takes the VM and its port programs; epmd daemonizes into its own
  // session, but listens on a port of its own (ERL_EPMD_PORT), so it is ours to kill.
  const reaper = startReaper(
    `kill -9 -"$(cat ${shellQuote(groupFile)})" 2>/dev/null; ` +
      `for i in 1 2 3 4 5; do ERL_EPMD_PORT=${epmdPort} ${shellQuote(epmd)} -kill >/dev/null 2>&1 && break; sleep 1; done; ` +
      `rm -rf ${shellQuote(dir)}`,
  );

  // <install>/sbin/rabbitmq-server -> <install>/plugins
  const pluginsDir = join(
    dirname(dirname(realpathSync(join(binDir, 'rabbitmq-server')))),
    'plugins',
  );
  const neededApps = options.management ? ['rabbit', 'rabbitmq_management'] : ['rabbit'];
  const linkedPlugins = join(dir, 'plugins');
  const ownPluginsDir = (await linkRequiredPlugins(pluginsDir, linkedPlugins, neededApps))
    ? linkedPlugins
    : pluginsDir;

  const config = ['log.console = false', 'log.file.level = info'];
  if (managementPort) {
    config.push(`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1');
  }
  await Promise.all([
    writeFile(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`),
    writeFile(join(dir, 'advanced.config'), '[].\n'),
    writeFile(join(dir, 'rabbitmq-env.conf'), ''),
    writeFile(
      join(dir, 'enabled_plugins'),
      options.management ? '[rabbitmq_management].\n' : '[].\n',
    ),
    // rabbitmqctl authenticates to the node with the cookie in $HOME.
    writeFile(join(dir, '.erlang.cookie'), randomBytes(20).toString('hex'), { mode: 0o400 }),
  ]);

  const brokerEnv: NodeJS.ProcessEnv = {
    // Whatever RabbitMQ or Erlang settings the caller has must not leak into this node.
    ...Object.fromEntries(
      Object.entries(env).filter(([key]) => !/^(RABBITMQ_|ERL_|NOTIFY_SOCKET$)/.test(key)),
    ),
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_PLUGINS_DIR: ownPluginsDir,
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    // Without these the node reads /etc/rabbitmq, which belongs to the system-wide broker.
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `+S ${options.schedulers ?? 1}`,
  };

  let broker: { child: ChildProcess; exited: Promise<void> } | undefined;
  let stopped: Promise<void> | undefined;

  const stopBroker = async ({ kill = false } = {}) => {
    if (!broker) return;
    const { child, exited } = broker;
    const group = child.pid as number;
    // SIGTERM to the rabbitmq-server script makes it shut the node down cleanly.
    signal(kill ? -group : group, kill ? 'SIGKILL' : 'SIGTERM');
    const forceKill = setTimeout(() => signal(-group, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(forceKill);
    signal(-group, 'SIGKILL'); // port programs such as inet_gethost
    broker = undefined;
  };

  const startBroker = async () => {
    if (stopped) throw new Error(`RabbitMQ node ${nodeName} was stopped for good`);
    if (broker) throw new Error(`RabbitMQ node ${nodeName} is already running`);
    const out = openSync(consoleLog, 'a');
    // Its own process group, so one signal reaches the VM and everything it spawned.
    const child = spawn(join(binDir, 'rabbitmq-server'), [], {
      env: brokerEnv,
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    child.unref();
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    broker = { child, exited };
    await writeFile(groupFile, String(child.pid));

    const died = exited.then(() => {
      throw new Error('the broker process exited during start-up');
    });
    died.catch(() => {}); // it exits later anyway, at stopBroker()
    try {
      await Promise.race([
        waitFor(() => amqpHandshake(port).then(() => true), {
          timeoutMs: startTimeoutMs,
          description: `RabbitMQ to accept AMQP on port ${port}`,
        }),
        died,
      ]);
    } catch (error) {
      await stopBroker({ kill: true });
      const logs = (await Promise.all([consoleLog, nodeLog].map(tail))).join('\n');
      throw new Error(`RabbitMQ did not start: ${(error as Error).message}\n${logs}`, {
        cause: error,
      });
    }
  };

  const stop = () =>
    (stopped ??= (async () => {
      // The data is deleted next, so there is nothing to shut down cleanly for.
      await stopBroker({ kill: true });
      await killEpmd(epmd, brokerEnv);
      await rm(dir, { recursive: true, force: true });
      reaper.cancel();
    })());

  try {
    await startBroker();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    managementPort,
    nodeName,
    stop,
    stopBroker,
    startBroker,
    restart: async (restartOptions) => {
      await stopBroker(restartOptions);
      await startBroker();
    },
    rabbitmqctl: (args) =>
      runCommand(join(binDir, 'rabbitmqctl'), ['-n', nodeName, ...args], { env: brokerEnv }),
  };
}

function externalBroker(url: string): RabbitMQServer {
  const unsupported = async () => {
    throw new Error(
      'Stopping or restarting the broker is not possible with TEST_AMQP_URL (an external broker). ' +
        'Unset TEST_AMQP_URL to let startRabbitMQ() run its own node.',
    );
  };
  return {
    url,
    port: Number(new URL(url).port || 5672),
    stop: async () => {},
    stopBroker: unsupported,
    startBroker: unsupported,
    restart: unsupported,
    rabbitmqctl: unsupported,
  };
}

// epmd refuses `-kill` while the node's registration is still live, which it is for a moment
// after the VM dies.
async function killEpmd(epmd: string, env: NodeJS.ProcessEnv): Promise<void> {
  await waitFor(
    () =>
      runCommand(epmd, ['-kill'], { env }).then(
        () => true,
        (error: Error) => {
          if (error.message.includes('Cannot connect')) return true; // not running
          throw error;
        },
      ),
    { timeoutMs: 5_000, intervalMs: 50, description: 'epmd to exit' },
  ).catch(() => {});
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function tail(file: string, lines = 40): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}
