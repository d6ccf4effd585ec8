import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { errorHandler, notFoundHandler } from './error-handler';
import { operationalRoutes, type ReadinessCheck } from './health';
import type { Logger } from './logger';
import { httpMetrics } from './metrics';
import { requestContext } from './request-context';
import { securityHeaders } from './security-headers';

export interface ServiceAppOptions {
  /** e.g. `orders-service`; with the replica id it forms `X-Served-By`. */
  service: string;
  replicaId: string;
  logger: Logger;
  metrics: Registry;
  /** Dependencies `/readyz` checks, by name (`database`, `broker`, `keys`…). */
  readiness: Record<string, ReadinessCheck>;
  /**
   * The service's own routes, mounted after the shared middleware and before the shared error
   * handler. Error handlers may be among them, e.g. to answer one endpoint's body-parser errors
   * in that endpoint's own format.
   */
  routes: RequestHandler | Array<RequestHandler | ErrorRequestHandler>;
  /** Largest JSON body accepted; larger ones get 413. */
  bodyLimit?: string;
  /** Answers 503 on `/readyz` once true, so the balancer drains the replica before it stops. */
  isShuttingDown?: () => boolean;
}

/**
 * The name a replica gives itself in `X-Served-By`: `orders-service-2` for replica 2, and a
 * Kubernetes pod's own name (`orders-service-6d5c9b7f4-x2x4z`, which already starts with the
 * service's) as it is.
 */
export function servedBy(service: string, replicaId: string): string {
  return replicaId.startsWith(`${service}-`) ? replicaId : `${service}-${replicaId}`;
}

/**
 * The Express skeleton every service shares: request ids and logs, `X-Served-By`, metrics,
 * health endpoints, JSON bodies, then the service's routes, then one error handler.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const { service, replicaId, logger, metrics, readiness, routes } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, uniquelocal');
  app.set('query parser', 'simple');
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  app.use((_req, res, next) => {
    // Draining: tell keep-alive clients (the gateway) to open their next request elsewhere.
    if (isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(securityHeaders());
  app.use(requestContext(logger, servedBy(service, replicaId)));
  app.use(httpMetrics(metrics));
  app.use(operationalRoutes(metrics, readiness, isShuttingDown));
  app.use(express.json({ limit: options.bodyLimit ?? '16kb' }));
  app.use(routes);
  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
