import { createServiceApp, databaseReadiness } from '@dja/http';
import { type Express, Router } from 'express';
import { adminRoutes } from './admin/admin-routes';
import { type Dependencies, SERVICE_NAME } from './dependencies';
import { wellKnownRoutes } from './discovery/well-known-routes';
import { revocationEndpoint } from './oauth/revocation-endpoint';
import { tokenEndpoint } from './oauth/token-endpoint';
import { tokenRequestBodyErrors } from './oauth/token-request';
import { revocationRoutes } from './revocations/revocation-routes';
import { logoutRoutes } from './sessions/logout';
import { accountRoutes } from './users/account-routes';

/** The auth service's HTTP API on the shared service skeleton of @dja/http. */
export function createApp(deps: Dependencies): Express {
  const routes = Router();
  routes.use(wellKnownRoutes(deps));
  routes.use(accountRoutes(deps));
  routes.use(tokenEndpoint(deps));
  routes.use(revocationEndpoint(deps));
  routes.use(logoutRoutes(deps));
  routes.use(adminRoutes(deps));
  routes.use(revocationRoutes(deps));

  return createServiceApp({
    service: SERVICE_NAME,
    replicaId: deps.config.REPLICA_ID,
    trustedProxies: deps.config.TRUSTED_PROXIES,
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: {
      database: databaseReadiness(deps.db),
      keys: () => deps.keys.isReady(),
      ...deps.readiness,
    },
    // The shared app parses JSON before any route, and Express hands a parser error straight to
    // the next error handler, past every router: the token endpoint's translator of such errors
    // is mounted right behind the routes, ahead of the shared problem+json handler.
    routes: [routes, tokenRequestBodyErrors()],
    isShuttingDown: deps.isShuttingDown,
  });
}
