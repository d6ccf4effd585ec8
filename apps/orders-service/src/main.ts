import { listen, shutdownOnSignals } from '@dja/http';
import { createApp } from './app';
import { loadOrdersConfig } from './config';
import { createDependencies } from './dependencies';

async function main(): Promise<void> {
  const config = loadOrdersConfig(process.env);
  let shuttingDown = false;
  const deps = await createDependencies(config, { isShuttingDown: () => shuttingDown });
  deps.relay.start();
  const running = await listen(createApp(deps), config.PORT, config.HOST);
  deps.logger.info({ url: running.url }, 'orders-service listening');
  shutdownOnSignals(running, {
    logger: deps.logger,
    onShutdownStart: () => (shuttingDown = true),
    cleanups: [() => deps.close()],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
