import { listen, shutdownOnSignals } from '@dja/http';
import { startResourceServerRuntime } from '@dja/resource-server';
import { createApp } from './app';
import { loadNotificationsConfig } from './config';
import { AUDIENCE, createDependencies, SERVICE_NAME } from './dependencies';
import { subscribeToEvents } from './events/event-subscriptions';

async function main(): Promise<void> {
  const config = loadNotificationsConfig(process.env);
  let shuttingDown = false;
  const runtime = await startResourceServerRuntime(config, {
    service: SERVICE_NAME,
    audience: AUDIENCE,
  });
  const deps = createDependencies(config, runtime, { isShuttingDown: () => shuttingDown });
  const events = subscribeToEvents(runtime.broker, deps, {
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    retryDelayMs: config.EVENT_RETRY_DELAY_MS,
  });
  const running = await listen(createApp(deps), config.PORT, config.HOST);
  deps.logger.info({ url: running.url }, 'notifications-service listening');
  shutdownOnSignals(running, {
    logger: deps.logger,
    onShutdownStart: () => (shuttingDown = true),
    cleanups: [() => events.close(), () => runtime.close(), () => deps.db.$disconnect()],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
