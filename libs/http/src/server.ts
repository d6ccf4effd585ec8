import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from './logger';
import type { Closeable } from './service';
import { operationsApp } from './service-app';

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** The operations listener (`/healthz`, `/readyz`, `/metrics`), when one was asked for. */
  operationsUrl?: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle sockets. */
  close(): Promise<void>;
}

/**
 * Listens on the given port (0 picks a free one) and resolves once it is bound. With an
 * `operationsPort`, the app's operations app (health, readiness, metrics) listens there too, on
 * the same interface: that port is for Prometheus and the orchestrator, never for the gateway.
 */
export async function listen(
  app: Express,
  port: number,
  host = '0.0.0.0',
  operationsPort?: number,
): Promise<RunningServer> {
  const running = await listenOne(app, port, host);
  if (operationsPort === undefined) return running;
  const operations = await listenOne(operationsApp(app), operationsPort, host).catch(
    async (error: unknown) => {
      await running.close();
      throw error;
    },
  );
  return {
    ...running,
    operationsUrl: operations.url,
    // Readiness keeps answering (503) while the public listener drains.
    close: async () => {
      await running.close();
      await operations.close();
    },
  };
}

async function listenOne(app: Express, port: number, host: string): Promise<RunningServer> {
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Longer than the gateway's upstream keep-alive, so nginx never reuses a socket we just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // close() stops accepting, but a keep-alive socket that is busy when it is called goes
        // on carrying requests: sweep idle sockets until every one has gone. (Responses sent
        // while shutting down also say `Connection: close`: see createServiceApp.)
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        server.close((error) => {
          clearInterval(sweep);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * How long a stopping replica may take to drain before it exits anyway: the deployment's grace
 * period must cover it (terminationGracePeriodSeconds, checked in infra/test/k8s).
 */
export const SHUTDOWN_TIMEOUT_MS = 15_000;

export interface ShutdownOptions {
  logger: Logger;
  /** Closed in order after the server has drained: consumers, relays, database pools. */
  cleanups: Closeable[];
  /** Time to let the balancer see `/readyz` fail before we stop accepting. */
  drainDelayMs?: number;
  /** Give up and exit non-zero after this long. */
  timeoutMs?: number;
  onShutdownStart?: () => void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: report not-ready, drain in-flight requests, release
 * resources, exit. A second signal or the timeout forces the exit.
 */
export function shutdownOnSignals(running: RunningServer, options: ShutdownOptions): void {
  const { logger, cleanups, drainDelayMs = 0, timeoutMs = SHUTDOWN_TIMEOUT_MS } = options;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    options.onShutdownStart?.();
    setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    try {
      if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
      await running.close();
      for (const cleanup of cleanups) await cleanup.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
