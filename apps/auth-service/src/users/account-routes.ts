import { ProblemError, requireContentType, validate } from '@dja/http';
import { type Request, Router } from 'express';
import type { Dependencies } from '../dependencies';
import { sendTokens } from '../tokens/token-response';
import { logIn } from './log-in';
import { registerUser } from './register-user';
import { credentials, registration } from './user-input';

/** `POST /register` and `POST /login`. */
export function accountRoutes(deps: Dependencies): Router {
  const router = Router();
  const json = requireContentType('application/json');

  router.post('/register', json, async (req, res) => {
    const input = validate(registration, req.body);
    const now = deps.clock();
    const wait = await deps.registrationThrottle.take(clientAddress(req), now);
    if (wait > 0) {
      deps.authMetrics.throttled.inc({ throttle: 'registration' });
      throw tooManyRegistrations(wait);
    }
    const user = await registerUser(deps.db, deps.passwords, input, now);
    void deps.events.flush();
    res.status(201).json({ id: user.id, email: user.email, name: user.name });
  });

  router.post('/login', json, async (req, res) => {
    const input = validate(credentials, req.body);
    const { access, refreshToken, scopes } = await logIn(deps, input, clientAddress(req));
    sendTokens(res, access, { scopes }, refreshToken);
  });

  return router;
}

/** Behind the gateway, the client's address (TRUSTED_PROXIES names the gateway); else the peer. */
const clientAddress = (req: Request): string => req.ip ?? 'unknown';

const tooManyRegistrations = (wait: number) =>
  new ProblemError(429, {
    code: 'too_many_registrations',
    title: 'Too many sign-ups',
    detail: 'Too many accounts were created from this address. Try again later.',
    headers: { 'Retry-After': String(wait) },
  });
