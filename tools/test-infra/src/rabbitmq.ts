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
  /**
   * Start a node of the caller's own even where TEST_AMQP_URL names a shared broker: for tests
   * that stop, kill or restart it.
   */
  own?: boolean;
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
  if (env.TEST_AMQP_URL && !options.own) return externalBroker(env.TEST_AMQP_URL);

  const binDir = options.binDir ?? '/usr/lib/rabbitmq/bin';
  if (!findBinDir([binDir], ['rabbitmq-server', 'rabbitmqctl'])) {
    throw new Error(RABBITMQ_NOT_FOUND_MESSAGE);
  }
  const node = await allocateNode(env, options.management ?? false);
  const reaper = startReaper(reapCommand(node));
  const pluginsDir = await pluginsFor(binDir, node);
  await writeNodeFiles(node);
  const brokerEnv = brokerEnvironment(env, node, pluginsDir, options.schedulers ?? 1);
  const broker = new BrokerProcess(binDir, node, brokerEnv, options.startTimeoutMs ?? 60_000);

  let stopped: Promise<void> | undefined;
  const startBroker = async () => {
    if (stopped) throw new Error(`RabbitMQ node ${node.nodeName} was stopped for good`);
    await broker.start();
  };
  const stop = () =>
    (stopped ??= (async () => {
      // The data is deleted next, so there is nothing to shut down cleanly for.
      await broker.stop({ kill: true });
      await killEpmd(node.epmd, brokerEnv);
      await rm(node.dir, { recursive: true, force: true });
      reaper.cancel();
    })());

  try {
    await startBroker();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `amqp://guest:guest@127.0.0.1:${node.port}`,
    port: node.port,
    managementPort: node.managementPort,
    nodeName: node.nodeName,
    stop,
    stopBroker: (stopOptions) => broker.stop(stopOptions),
    startBroker,
    restart: async (restartOptions) => {
      await broker.stop(restartOptions);
      await startBroker();
    },
    rabbitmqctl: (args) =>
      runCommand(join(binDir, 'rabbitmqctl'), ['-n', node.nodeName, ...args], { env: brokerEnv }),
  };
}

/** Where a node keeps its files, the ports and names it uses. */
interface NodeLayout {
  dir: string;
  nodeName: string;
  port: number;
  distPort: number;
  epmdPort: number;
  managementPort: number | undefined;
  /** The epmd binary, to stop the one this node starts. */
  epmd: string;
  /** Holds the broker's process group id, for the reaper. */
  groupFile: string;
  nodeLog: string;
  consoleLog: string;
}

async function allocateNode(env: NodeJS.ProcessEnv, management: boolean): Promise<NodeLayout> {
  const dir = await mkdtemp(join(tmpdir(), 'dja-rabbitmq-'));
  const nodeName = `dja-${process.pid}-${randomBytes(3).toString('hex')}@localhost`;
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const managementPort = management ? await freePort() : undefined;
  const epmd = join(
    findBinDir([...pathDirs(env), ...versionedDirs('/usr/lib/erlang', 'bin')], ['epmd']) ?? '',
    'epmd',
  );
  return {
    dir,
    nodeName,
    port,
    distPort,
    epmdPort,
    managementPort,
    epmd,
    groupFile: join(dir, 'broker.pgid'),
    nodeLog: join(dir, 'log', `${nodeName}.log`),
    consoleLog: join(dir, 'broker.out'),
  };
}

/**
 * What the reaper runs if this process dies first. Killing the process group takes the VM and
 * its port programs; epmd daemonizes into its own session, but listens on a port of its own
 * (ERL_EPMD_PORT), so it is ours to kill.
 */
function reapCommand({ groupFile, epmdPort, epmd, dir }: NodeLayout): string {
  return (
    `kill -9 -"$(cat ${shellQuote(groupFile)})" 2>/dev/null; ` +
    `for i in 1 2 3 4 5; do ERL_EPMD_PORT=${epmdPort} ${shellQuote(epmd)} -kill >/dev/null 2>&1 && break; sleep 1; done; ` +
    `rm -rf ${shellQuote(dir)}`
  );
}

/** Only the plugins the node needs, linked into its directory when possible (faster boot). */
async function pluginsFor(binDir: string, node: NodeLayout): Promise<string> {
  // <install>/sbin/rabbitmq-server -> <install>/plugins
  const pluginsDir = join(
    dirname(dirname(realpathSync(join(binDir, 'rabbitmq-server')))),
    'plugins',
  );
  const neededApps = node.managementPort ? ['rabbit', 'rabbitmq_management'] : ['rabbit'];
  const linkedPlugins = join(node.dir, 'plugins');
  return (await linkRequiredPlugins(pluginsDir, linkedPlugins, neededApps))
    ? linkedPlugins
    : pluginsDir;
}

async function writeNodeFiles({ dir, managementPort }: NodeLayout): Promise<void> {
  const config = ['log.console = false', 'log.file.level = info'];
  if (managementPort) {
    config.push(`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1');
  }
  await Promise.all([
    writeFile(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`),
    writeFile(join(dir, 'advanced.config'), '[].\n'),
    writeFile(join(dir, 'rabbitmq-env.conf'), ''),
    writeFile(join(dir, 'enabled_plugins'), managementPort ? '[rabbitmq_management].\n' : '[].\n'),
    // rabbitmqctl authenticates to the node with the cookie in $HOME.
    writeFile(join(dir, '.erlang.cookie'), randomBytes(20).toString('hex'), { mode: 0o400 }),
  ]);
}

function brokerEnvironment(
  env: NodeJS.ProcessEnv,
  node: NodeLayout,
  pluginsDir: string,
  schedulers: number,
): NodeJS.ProcessEnv {
  const { dir } = node;
  return {
    // Whatever RabbitMQ or Erlang settings the caller has must not leak into this node.
    ...Object.fromEntries(
      Object.entries(env).filter(([key]) => !/^(RABBITMQ_|ERL_|NOTIFY_SOCKET$)/.test(key)),
    ),
    HOME: dir,
    RABBITMQ_NODENAME: node.nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.port),
    RABBITMQ_DIST_PORT: String(node.distPort),
    ERL_EPMD_PORT: String(node.epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_PLUGINS_DIR: pluginsDir,
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    // Without these the node reads /etc/rabbitmq, which belongs to the system-wide broker.
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `+S ${schedulers}`,
  };
}

/** The node's rabbitmq-server process, which can stop and start again on the same port. */
class BrokerProcess {
  private running: { child: ChildProcess; exited: Promise<void> } | undefined;

  constructor(
    private readonly binDir: string,
    private readonly node: NodeLayout,
    private readonly env: NodeJS.ProcessEnv,
    private readonly startTimeoutMs: number,
  ) {}

  async start(): Promise<void> {
    if (this.running) throw new Error(`RabbitMQ node ${this.node.nodeName} is already running`);
    const { exited } = await this.spawn();
    const died = exited.then(() => {
      throw new Error('the broker process exited during start-up');
    });
    died.catch(() => {}); // it exits later anyway, at stop()
    try {
      await Promise.race([
        waitFor(() => amqpHandshake(this.node.port).then(() => true), {
          timeoutMs: this.startTimeoutMs,
          description: `RabbitMQ to accept AMQP on port ${this.node.port}`,
        }),
        died,
      ]);
    } catch (error) {
      await this.stop({ kill: true });
      const logs = (await Promise.all([this.node.consoleLog, this.node.nodeLog].map(tail))).join(
        '\n',
      );
      throw new Error(`RabbitMQ did not start: ${(error as Error).message}\n${logs}`, {
        cause: error,
      });
    }
  }

  async stop({ kill = false } = {}): Promise<void> {
    if (!this.running) return;
    const { child, exited } = this.running;
    const group = child.pid as number;
    // SIGTERM to the rabbitmq-server script makes it shut the node down cleanly.
    signal(kill ? -group : group, kill ? 'SIGKILL' : 'SIGTERM');
    const forceKill = setTimeout(() => signal(-group, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(forceKill);
    signal(-group, 'SIGKILL'); // port programs such as inet_gethost
    this.running = undefined;
  }

  private async spawn(): Promise<{ child: ChildProcess; exited: Promise<void> }> {
    const out = openSync(this.node.consoleLog, 'a');
    // Its own process group, so one signal reaches the VM and everything it spawned.
    const child = spawn(join(this.binDir, 'rabbitmq-server'), [], {
      env: this.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    child.unref();
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    this.running = { child, exited };
    await writeFile(this.node.groupFile, String(child.pid));
    return this.running;
  }
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
