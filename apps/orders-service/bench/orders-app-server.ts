/**
 * The orders service's HTTP app (apps/orders-service createApp, same routes, same Prisma
 * queries, same middleware) in one process, three times, differing only in `requireAuth`:
 *
 * - `jwt`: the real verifier of @dja/auth with the service's defaults (verified-token cache on),
 *   keys from the stack's JWKS, revocation list consulted;
 * - `none`: a fixed principal, the one BENCH_TOKEN verifies to, set without looking at the
 *   request (what a "disable auth for the benchmark" switch would do);
 * - `session`: an opaque session id looked up in PostgreSQL on every request, the stateful
 *   alternative to JWTs (SESSION_STORE_URL, table `sessions`).
 *
 * It lives with the service because it runs the service's own routes. `nx run
 * orders-service:build-bench-server` bundles it to dist/bench/orders-app-server.js (`npm run bench`
 * does), and tools/bench/benchmarks/load.bench.ts starts that and reads the one JSON line it
 * prints with the three URLs.
 */
// First, as in main.ts: with OTEL_EXPORTER_OTLP_ENDPOINT set the SDK traces this app too.
import '../src/instrumentation';
import {
  type AccessTokenPrincipal,
  createAccessTokenVerifier,
  InMemoryRevocationList,
  InvalidTokenError,
  requireAuth,
  TokenMissingError,
} from '@dja/auth';
import { createLogger, createMetricsRegistry, listen } from '@dja/http';
import { createMessagingMetrics, type EventRelay } from '@dja/messaging';
import type { RequestHandler } from 'express';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { systemClock } from '../src/clock';
import type { OrdersConfig } from '../src/config';
import { connectDatabase } from '../src/database';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`orders-app-server: ${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const verifier = createAccessTokenVerifier({
    issuer: env('AUTH_ISSUER'),
    audience: 'orders',
    jwksUri: env('JWKS_URI'),
  });
  await verifier.ready();
  const revocations = new InMemoryRevocationList({ maxTokenLifetimeSeconds: 300 });
  const fixed = await verifier.verify(env('BENCH_TOKEN'));

  const sessions = new Pool({ connectionString: env('SESSION_STORE_URL'), max: 10 });
  // Errors of idle clients (the store stopped) must not crash the process.
  sessions.on('error', () => undefined);
  const sessionAuth: RequestHandler = async (req, _res, next) => {
    try {
      const header = req.get('authorization') ?? '';
      if (!header.startsWith('Bearer ')) throw new TokenMissingError();
      const { rows } = await sessions.query<{ principal: AccessTokenPrincipal }>(
        'SELECT principal FROM sessions WHERE id = $1 AND expires_at > now()',
        [header.slice(7)],
      );
      if (!rows[0]) throw new InvalidTokenError('ERR_TOKEN_REVOKED', 'unknown session');
      req.auth = rows[0].principal;
      next();
    } catch (error) {
      next(error);
    }
  };

  const variants: Record<string, RequestHandler> = {
    jwt: requireAuth(verifier, { revocations, realm: 'orders-service' }),
    none: (req, _res, next) => {
      req.auth = fixed;
      next();
    },
    session: sessionAuth,
  };

  const urls: Record<string, string> = {};
  for (const [name, auth] of Object.entries(variants)) {
    const logger = createLogger({ service: 'orders-service', replicaId: name, level: 'warn' });
    const metrics = createMetricsRegistry('orders-service');
    const app = createApp({
      // createApp reads only the replica id and the trusted proxies (none: the load comes
      // straight at this process) of the configuration.
      config: { REPLICA_ID: `bench-${name}`, TRUSTED_PROXIES: [] as string[] } as OrdersConfig,
      clock: systemClock,
      logger,
      metrics,
      messagingMetrics: createMessagingMetrics(metrics),
      db: connectDatabase(env('DATABASE_URL')),
      requireAuth: auth,
      // GET /orders never publishes; the relay is never called.
      events: {} as EventRelay,
      readiness: {},
      isShuttingDown: () => false,
      close: async () => undefined,
    });
    urls[name] = (await listen(app, 0, '127.0.0.1')).url;
  }
  process.stdout.write(`${JSON.stringify({ ...urls, principal: fixed })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// The benchmark stops it with SIGTERM: exit normally, so that a `node --cpu-prof` run of it
// writes its profile.
process.once('SIGTERM', () => process.exit(0));
