import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from './logger';

// A request id from the gateway is kept only if it looks like one: it ends up in every log line.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (the gateway's `X-Request-Id` when present), echoes it back, tags the
 * response with the replica that answered (`X-Served-By`), and logs the request with that id.
 */
export function requestContext(logger: Logger, servedBy: string): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      res.setHeader('X-Served-By', servedBy);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      return 'info';
    },
    // Health probes and scrapes would drown the log.
    autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: withoutCredentials(req.url) }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
  });
}

/** RFC 6750 allows a token in the query string; it must not reach the logs with the URL. */
function withoutCredentials(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:access_token|refresh_token|code)=)[^&#]*/gi, '$1[redacted]');
}
