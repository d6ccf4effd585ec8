import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The protective headers of every API response, errors included (docs/security.md, "Response
 * headers"). helmet sets them, configured for an API that answers JSON and never HTML:
 * a Content-Security-Policy that allows nothing and no framing, `nosniff`, `no-referrer`, HSTS.
 * `Cache-Control: no-store` is the default because most answers are personal (a profile, orders,
 * tokens); the few public documents (JWKS, metadata) set their own caching.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ];
}
