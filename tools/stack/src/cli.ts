import { parseArgs } from 'node:util';
import { type Stack, startStack } from './start-stack';
import { parseReplicas, USAGE } from './cli-arguments';
import { SERVICES } from './topology';

function printTable(stack: Stack): void {
  const rows = stack.replicas.map((r) => [r.name, String(r.spec.port), r.url, r.operationsUrl]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 7));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  // `operations` serves /healthz, /readyz and /metrics; the gateway does not route there.
  console.log(line(['replica', 'port', 'url', 'operations']));
  for (const row of rows) console.log(line(row));
  console.log(`\nlogs: ${stack.dir}/logs`);
  console.log(`admin: ${stack.admin.email} / ${stack.admin.password}`);
  console.log(`stack ready at ${stack.gatewayUrl}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      replicas: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port ${values.port}\n${USAGE}`);
  const replicas = parseReplicas(values.replicas ?? []);

  // A signal during start-up aborts it (startStack then stops what it started); after start-up
  // it stops the running stack.
  const aborter = new AbortController();
  const running: { stack?: Stack } = {};
  const stop = async (signal: string) => {
    if (aborter.signal.aborted) return;
    console.error(`\n${signal}: stopping every process of the stack…`);
    aborter.abort();
    await running.stack?.stop();
    if (running.stack) process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const stack = (running.stack = await startStack({
    port,
    replicas,
    signal: aborter.signal,
    onProgress: (message) => console.error(`… ${message}`),
  }));
  printTable(stack);
  console.error(
    `services: ${Object.values(SERVICES)
      .map((s) => s.app)
      .join(', ')}; Ctrl-C stops them all.`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
