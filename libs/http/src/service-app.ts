import { traceRequests } from '@dja/telemetry';
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
  /**
   * Addresses or CIDR blocks of the gateway (TRUSTED_PROXIES). Only a request whose peer is one
   * of them has `req.ip` taken from `X-Forwarded-For`; from anyone else the header is ignored.
   */
  trustedProxies: readonly string[];
  /** Largest JSON body accepted; larger ones get 413. */
  bodyLimit?: string;
  /** Answers 503 on `/readyz` once true, so the balancer drains the replica before it stops. */
  isShuttingDown?: () => boolean;
}

const OPERATIONS = new WeakMap<Express, Express>();

/**
 * The name a replica gives itself in `X-Served-By`: `orders-service-2` for replica 2, and a
 * Kubernetes pod's own name (`orders-service-6d5c9b7f4-x2x4z`, which already starts with the
 * service's) as it is.
 */
export function servedBy(service: string, replicaId: string): string {
  return replicaId.startsWith(`${service}-`) ? replicaId : `${service}-${replicaId}`;
}

/**
 * The operations app that goes with a service app: `/healthz`, `/readyz` with its per-dependency
 * detail, and `/metrics`. `listen` serves it on its own port, which only Prometheus and the
 * orchestrator reach; the public app (what the gateway forwards to) has none of these paths.
 */
export function operationsApp(app: Express): Express {
  const operations = OPERATIONS.get(app);
  if (!operations) throw new Error('not an app made by createServiceApp');
  return operations;
}

/**
 * The Express skeleton every service shares: protective headers, request ids and logs,
 * `X-Served-By`, metrics, JSON bodies, then the service's routes, then one error handler. Health,
 * readiness and metrics live on the separate operations app (see `operationsApp`).
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const { service, replicaId, logger, metrics, readiness, routes } = options;
  const app = express();
  app.disable('x-powered-by');
  // Never `true`: a client that reaches the service directly must not choose its own address.
  app.set('trust proxy', [...options.trustedProxies]);
  app.set('query parser', 'simple');
  const isShuttingDown = options.isShuttingDown ?? (() => false);
  // First, so that every later middleware and its listeners run inside the request's span.
  app.use(traceRequests());
  app.use((_req, res, next) => {
    // Draining: tell keep-alive clients (the gateway) to open their next request elsewhere.
    if (isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(securityHeaders());
  app.use(requestContext(logger, servedBy(service, replicaId)));
  app.use(httpMetrics(metrics));
  app.use(express.json({ limit: options.bodyLimit ?? '16kb' }));
  app.use(routes);
  app.use(notFoundHandler());
  app.use(errorHandler());

  const operations = express();
  operations.disable('x-powered-by');
  operations.use((_req, res, next) => {
    res.setHeader('X-Served-By', servedBy(service, replicaId));
    next();
  });
  operations.use(operationalRoutes(metrics, readiness, isShuttingDown));
  operations.use(notFoundHandler());
  operations.use(errorHandler());
  OPERATIONS.set(app, operations);
  return app;
}
