import { env, serviceEnv } from '@dja/config';
import { z } from 'zod';

/**
 * The environment every resource service (orders, profile, notifications) reads, to spread into
 * its own schema. Each key is documented here once.
 */
export const resourceServerEnv = {
  ...serviceEnv,
  /** RabbitMQ, for events and revocations. */
  AMQP_URL: env.amqpUrl(),
  /** `iss` of the tokens to accept: the auth service's public URL, gateway prefix included. */
  AUTH_ISSUER: env.url().transform((value) => value.replace(/\/+$/, '')),
  /** Where this service reaches the auth service directly (JWKS, token endpoint, snapshot). */
  AUTH_URL: env.url().transform((value) => value.replace(/\/+$/, '')),
  /** This service's client id for the client_credentials grant. */
  CLIENT_ID: z.string().min(1),
  /** Its client secret, 32+ characters. */
  CLIENT_SECRET: z.string().min(32),
  /** The auth service's access token lifetime (seconds): longer-lived tokens are refused. */
  ACCESS_TOKEN_TTL: env.seconds(300),
  /** Leeway for exp/nbf/iat against clock skew between hosts, seconds. */
  CLOCK_TOLERANCE: z.coerce.number().int().min(0).max(300).default(5),
  /** An unknown `kid` refetches the JWKS at most this often, seconds. */
  JWKS_COOLDOWN: env.seconds(30),
  /**
   * Longest time between two JWKS fetches, seconds. auth-service's `Cache-Control: max-age`
   * shortens it (never below JWKS_COOLDOWN), so it is a ceiling for issuers that send none.
   */
  JWKS_MAX_AGE: env.seconds(600),
  /** Known keys keep working this long while the auth service is unreachable, seconds. */
  JWKS_STALE_IF_ERROR: env.seconds(24 * 3600),
};

/** The `aud` that access tokens must name to be accepted by this service; its name by default. */
export const audience = (fallback: string) => z.string().min(1).default(fallback);

/** What the shared runtime reads: the shared variables and the service's `AUDIENCE`. */
export type ResourceServerConfig = z.infer<z.ZodObject<typeof resourceServerEnv>> & {
  AUDIENCE: string;
};
