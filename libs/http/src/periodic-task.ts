import type { Logger } from './logger';
import type { Closeable } from './service';

export interface PeriodicTaskOptions {
  /** Names the task in logs. */
  name: string;
  intervalSeconds: number;
  /** One run; its result (e.g. how many rows it purged) is logged when it is not 0. */
  run: () => Promise<number>;
  logger: Logger;
}

/**
 * Runs `run` every `intervalSeconds` in this process, never two runs at once: a run still going
 * when the next is due makes that one skip. A failed run is logged and the next one tries again.
 * Closing stops the timer and waits for a run in progress.
 */
export function startPeriodicTask({
  name,
  intervalSeconds,
  run,
  logger,
}: PeriodicTaskOptions): Closeable {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= run()
      .then((count) => {
        if (count > 0) logger.info({ task: name, count }, `${name}: done`);
      })
      .catch((error: unknown) => logger.error({ err: error, task: name }, `${name} failed`))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
