import { createServiceApp, databaseReadiness } from '@dja/http';
import type { Express } from 'express';
import { type Dependencies, SERVICE_NAME } from './dependencies';
import { orderRoutes } from './orders/order-routes';

/** The orders service's HTTP API on the shared service skeleton of @dja/http. */
export function createApp(deps: Dependencies): Express {
  return createServiceApp({
    service: SERVICE_NAME,
    replicaId: deps.replicaId,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: {
      database: databaseReadiness(deps.db),
      ...deps.readiness,
    },
    routes: orderRoutes(deps),
    isShuttingDown: deps.isShuttingDown,
  });
}
