import { listen, shutdownOnSignals } from '@dja/http';
import { createApp } from './app';
import { loadProfileConfig } from './config';
import { startProfileService } from './dependencies';

async function main(): Promise<void> {
  const config = loadProfileConfig(process.env);
  let shuttingDown = false;
  const service = await startProfileService(config, { isShuttingDown: () => shuttingDown });
  const running = await listen(createApp(service.deps), config.PORT, config.HOST);
  service.deps.logger.info({ url: running.url }, 'profile-service listening');
  shutdownOnSignals(running, {
    logger: service.deps.logger,
    onShutdownStart: () => (shuttingDown = true),
    cleanups: [() => service.close()],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
