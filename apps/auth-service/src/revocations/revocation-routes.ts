import { requireAuth, requireScope } from '@dja/auth';
import { Router } from 'express';
import type { Dependencies } from '../dependencies';
import { revocationsInForce } from './revocations';

export const REVOCATIONS_SCOPE = 'revocations:read';

/**
 * `GET /internal/revocations`: for resource services (client_credentials tokens with
 * `revocations:read`) to load the revocations still in force when they start; afterwards they
 * follow the events. Not routed by the public gateway.
 */
export function revocationRoutes(deps: Dependencies): Router {
  const router = Router();
  router.get(
    '/internal/revocations',
    requireAuth(deps.verifier, { revocations: deps.revocations }),
    requireScope(REVOCATIONS_SCOPE),
    async (_req, res) => {
      res.set('Cache-Control', 'no-store').json(await revocationsInForce(deps.db, deps.clock));
    },
  );
  return router;
}
