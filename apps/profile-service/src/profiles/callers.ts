import { type AccessTokenPrincipal, getPrincipal, InsufficientScopeError } from '@dja/auth';
import { forbidden } from '@dja/http';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';

const uuid = z.uuid();

/**
 * True for a client_credentials token: it names the client as its subject and has neither a
 * session nor roles. User tokens always carry `sid` (and `roles`).
 */
export function isServiceToken(principal: AccessTokenPrincipal): boolean {
  return (
    principal.sessionId === undefined &&
    principal.roles.length === 0 &&
    principal.clientId !== undefined &&
    principal.clientId === principal.subject
  );
}

/**
 * Lets through only service tokens with every one of `scopes`. A user token is refused even if
 * it somehow carries such a scope: reading other users' profiles is for services only.
 */
export function requireServiceScope(...scopes: string[]): RequestHandler {
  return (req, _res, next) => {
    const principal = getPrincipal(req);
    const granted = isServiceToken(principal) && scopes.every((s) => principal.scopes.includes(s));
    next(granted ? undefined : new InsufficientScopeError(scopes));
  };
}

/** The user behind a user token: its `sub` (a UUID). Tokens carry no email (docs/adr/0010). */
export function currentUser(req: Request): { userId: string } {
  const principal = getPrincipal(req);
  if (principal.sessionId === undefined || !uuid.safeParse(principal.subject).success) {
    throw forbidden('Only a user’s own access token can be used for /profile/me.');
  }
  return { userId: principal.subject };
}
