import { requireContentType, validate } from '@dja/http';
import { Router } from 'express';
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
    const user = await registerUser(deps.db, deps.passwords, input, deps.clock());
    void deps.events.flush();
    res.status(201).json({ id: user.id, email: user.email, name: user.name });
  });

  router.post('/login', json, async (req, res) => {
    const input = validate(credentials, req.body);
    // Behind the gateway, req.ip is the client (libs/http trusts loopback and private proxies).
    const { access, refreshToken, scopes } = await logIn(deps, input, req.ip ?? 'unknown');
    sendTokens(res, access, { scopes }, refreshToken);
  });

  return router;
}
