import { listen, shutdownOnSignals } from '@dja/http';
import { createApp } from './app';
import { loadAuthConfig } from './config';
import { createDependencies, prepare, startBackgroundJobs } from './dependencies';

async function main(): Promise<void> {
  const config = loadAuthConfig(process.env);
  let shuttingDown = false;
  const deps = createDependencies(config, { isShuttingDown: () => shuttingDown });
  await prepare(deps);
  const stopJobs = startBackgroundJobs(deps);
  const running = await listen(createApp(deps), config.PORT, config.HOST);
  deps.logger.info({ url: running.url, issuer: config.ISSUER }, 'auth-service listening');
  shutdownOnSignals(running, {
    logger: deps.logger,
    onShutdownStart: () => (shuttingDown = true),
    cleanups: [stopJobs, () => deps.passwords.close(), () => deps.db.$disconnect()],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
