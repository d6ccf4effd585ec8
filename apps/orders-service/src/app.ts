import { createServiceApp, databaseReadiness } from '@dja/http';
import { type Express, Router } from 'express';
import { type Dependencies, SERVICE_NAME } from './dependencies';
import { orderRoutes } from './orders/order-routes';

/** The orders service's HTTP API on the shared service skeleton of @dja/http. */
export function createApp(deps: Dependencies): Express {
  const routes = Router();
  routes.use(orderRoutes(deps));

  return createServiceApp({
    service: SERVICE_NAME,
    replicaId: deps.config.REPLICA_ID,
    trustedProxies: deps.config.TRUSTED_PROXIES,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { database: databaseReadiness(deps.db), ...deps.readiness },
    routes,
    isShuttingDown: deps.isShuttingDown,
  });
}
