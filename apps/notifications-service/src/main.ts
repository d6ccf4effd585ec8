import { telemetry } from './instrumentation';
import { loadConfig } from '@dja/config';
import { listen, shutdownOnSignals } from '@dja/http';
import { createApp } from './app';
import { configSchema } from './config';
import {
  createDependencies,
  SERVICE_NAME,
  startBackgroundJobs,
  startRuntime,
} from './dependencies';
import { subscribeToEvents } from './events/subscriptions';

async function main(): Promise<void> {
  const config = loadConfig(configSchema, process.env);
  const runtime = await startRuntime(config);
  const deps = await createDependencies(config, runtime);
  const subscriptions = subscribeToEvents(runtime.broker, deps);
  const jobs = startBackgroundJobs(deps);
  const running = await listen(createApp(deps), config.PORT, config.HOST, config.OPERATIONS_PORT);
  runtime.logger.info({ url: running.url }, `${SERVICE_NAME} listening`);
  shutdownOnSignals(running, {
    logger: runtime.logger,
    onShutdownStart: runtime.beginShutdown,
    // Telemetry last: it exports the spans of everything above.
    cleanups: [jobs, subscriptions, deps, runtime, { close: () => telemetry.shutdown() }],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
