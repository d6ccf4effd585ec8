import { Router } from 'express';
import type { Registry } from 'prom-client';

/** A named readiness check: resolves true when the dependency is usable. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/** What a readiness check needs of a database client: Prisma's `$queryRaw` tag. */
export interface RawQueryClient {
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<unknown>;
}

/** Ready while the database answers `SELECT 1` (an error or a timeout counts as not ready). */
export function databaseReadiness(db: RawQueryClient): ReadinessCheck {
  return async () => {
    await db.$queryRaw`SELECT 1`;
    return true;
  };
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers, so the load balancer may
 * send traffic. `/metrics`: Prometheus text format.
 */
export function operationalRoutes(
  registry: Registry,
  readiness: Record<string, ReadinessCheck>,
  isShuttingDown: () => boolean,
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(readiness);
    const results = await Promise.all(names.map((name) => runCheck(readiness[name]!)));
    const checks = Object.fromEntries(
      names.map((name, i) => [name, results[i] ? 'ok' : 'failing']),
    );
    const ready = !isShuttingDown() && results.every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
