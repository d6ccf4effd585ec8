import type { ServiceConfig } from '@dja/config';
import type { Registry } from 'prom-client';
import type { RawQueryClient, ReadinessCheck } from './health';
import type { Logger } from './logger';

/** A service's only source of time: tests hand in a clock they can move. */
export type Clock = () => Date;

/**
 * What a service takes from the world around it: logs, metrics, time, the shutdown signal and
 * whatever it connects to (broker, the issuer's keys). `main.ts` starts the real one; tests hand
 * in their own, and everything built on it is the service's own wiring.
 */
export interface ServiceRuntime {
  logger: Logger;
  metrics: Registry;
  clock: Clock;
  /** Checks of what the runtime connected to (keys, broker…), merged into `/readyz`. */
  readiness: Record<string, ReadinessCheck>;
  /** True from the first SIGTERM: `/readyz` fails and responses close their connection. */
  isShuttingDown(): boolean;
  beginShutdown(): void;
  /** Closes what the runtime opened; after the dependencies are closed. */
  close(): Promise<void>;
}

/**
 * The fields every service's `Dependencies` has; each service's interface extends it with its
 * own (`keys`, `events`, `profiles`…). Built by the service's `createDependencies(config, runtime)`.
 */
export interface ServiceDependencies<
  Config extends ServiceConfig = ServiceConfig,
  Db extends RawQueryClient = RawQueryClient,
> {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  db: Db;
  /** Checks besides the database, which `createApp` adds. */
  readiness: Record<string, ReadinessCheck>;
  isShuttingDown: () => boolean;
  /** Releases what `createDependencies` opened (thread pools, database pool). */
  close(): Promise<void>;
}

/** Something `main.ts` closes on shutdown: an event subscription, a set of background jobs. */
export interface Closeable {
  close(): Promise<void>;
}

/** The shutdown flag of a runtime: off until `beginShutdown()`. */
export function shutdownSwitch(): Pick<ServiceRuntime, 'isShuttingDown' | 'beginShutdown'> {
  let shuttingDown = false;
  return {
    isShuttingDown: () => shuttingDown,
    beginShutdown: () => {
      shuttingDown = true;
    },
  };
}
