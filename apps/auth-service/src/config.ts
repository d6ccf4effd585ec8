import { env, serviceEnv } from '@dja/config';
import { z } from 'zod';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** A machine client of the token endpoint (client_credentials grant). */
const serviceClient = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'ids are 1-64 of A-Z a-z 0-9 . _ -'),
  // Shared secrets are compared, never hashed with a slow KDF, so they must be random and long.
  secret: z.string().min(32, 'secrets must be at least 32 characters'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'not a scope token')),
  audience: z.array(z.string().min(1)).min(1),
});

export type ServiceClient = z.infer<typeof serviceClient>;

const serviceClients = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of clients' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(serviceClient)
      .refine((clients) => new Set(clients.map((c) => c.id)).size === clients.length, {
        message: 'client ids must be unique',
      }),
  )
  .meta({ json: true });

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const scopeList = z
  .string()
  .transform((value) => value.split(' ').filter(Boolean))
  .meta({ separator: ' ' });

/** Every environment variable the auth service reads. The README has the same table. */
export const configSchema = z
  .object({
    ...serviceEnv,
    /** RabbitMQ; events are published from the outbox. Unset: they wait in the outbox. */
    AMQP_URL: env.amqpUrl().optional(),
    /** `iss` of every token and base of the discovery URLs: the public URL, gateway prefix included. */
    ISSUER: env.url().transform((value) => value.replace(/\/+$/, '')),
    /** Access token lifetime, seconds. */
    ACCESS_TOKEN_TTL: env.seconds(300),
    /** `aud` of user access tokens: the resource services that accept them (`auth` for /logout and /admin). */
    ACCESS_TOKEN_AUDIENCE: env.list().default(['orders', 'profile', 'notifications', 'auth']),
    /** This service's own audience name, required in tokens sent to /logout, /admin and /internal. */
    AUTH_AUDIENCE: z.string().min(1).default('auth'),
    /** `client_id` of user access tokens: the first-party app users sign in with (RFC 9068 §2.2). */
    PUBLIC_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .default('first-party'),
    /** `scope` of user access tokens, space-separated. */
    USER_SCOPES: scopeList.default([
      'orders:read',
      'orders:write',
      'profile:me',
      'notifications:read',
    ]),
    /** A refresh token unused for this long (seconds) stops working. */
    REFRESH_TOKEN_IDLE_TTL: env.seconds(7 * DAY),
    /** A session ends this long (seconds) after login, however active. */
    REFRESH_TOKEN_ABSOLUTE_TTL: env.seconds(30 * DAY),
    /** Encrypts signing keys at rest (AES-256-GCM, key derived with HKDF): 32+ random characters (`openssl rand -base64 32`). */
    KEY_ENCRYPTION_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)'),
    /** PKCS#8 PEM RSA private key imported at start-up and made the signing key (optional). */
    SIGNING_KEY_FILE: z.string().optional(),
    /** A new signing key is generated this often, seconds. */
    KEY_ROTATION_INTERVAL: env.seconds(DAY),
    /** A new key is published this long (seconds) before it signs; at least the verifiers' JWKS cache time. */
    KEY_ACTIVATION_DELAY: env.seconds(120),
    /** Every replica re-reads the key set this often, seconds. */
    KEY_RELOAD_INTERVAL: env.seconds(5),
    /** Clock skew allowed between hosts, seconds; retired keys stay published this much longer. */
    CLOCK_TOLERANCE: env.seconds(60),
    /** With ADMIN_PASSWORD: an admin account created at start-up if the email is free. */
    ADMIN_EMAIL: z.email().optional(),
    /** The password of that admin account when it is created; later changes are not applied. */
    ADMIN_PASSWORD: z.string().min(8).max(1024).optional(),
    /** JSON array of `{ id, secret, scopes, audience }` for the client_credentials grant. */
    SERVICE_CLIENTS: serviceClients.default([]),
    /** Failed logins allowed per account within LOGIN_FAILURE_WINDOW before 429. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: count(5),
    /** Failed logins allowed per client address within LOGIN_FAILURE_WINDOW before 429. */
    LOGIN_MAX_FAILURES_PER_ADDRESS: count(50),
    /** Sliding window for counting failed logins, seconds. */
    LOGIN_FAILURE_WINDOW: env.seconds(15 * 60),
    /** Sign-ups allowed per client address within REGISTRATION_WINDOW before 429. */
    REGISTRATION_MAX_PER_ADDRESS: count(20),
    /** Sliding window for counting sign-ups, seconds. */
    REGISTRATION_WINDOW: env.seconds(HOUR),
    /** Failed client authentications allowed per client id within CLIENT_FAILURE_WINDOW before 429. */
    CLIENT_MAX_FAILED_AUTHENTICATIONS: count(20),
    /** Sliding window for counting failed client authentications, seconds. */
    CLIENT_FAILURE_WINDOW: env.seconds(5 * 60),
    /** Expired throttle counts are deleted this often, seconds (by whichever replica runs first). */
    THROTTLE_PURGE_INTERVAL: env.seconds(10 * 60),
    /** Worker threads that run argon2; each login or registration occupies one for ~15 ms. */
    PASSWORD_HASH_THREADS: count(2),
    /**
     * Nice value of those threads (Linux, 0-19). The default, 19, gives hashing only the CPU that
     * request serving leaves, so a burst of logins does not slow the other routes on the host.
     */
    PASSWORD_HASH_NICE: z.coerce.number().int().min(0).max(19).default(19),
    /** Logins and registrations waiting for a hashing thread beyond this get 503. */
    PASSWORD_HASH_MAX_QUEUED: count(64),
  })
  .superRefine((config, ctx) => {
    if (Boolean(config.ADMIN_EMAIL) !== Boolean(config.ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
        message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together',
      });
    }
    // Every replica must have reloaded a new key (and so publish it) before any replica signs
    // with it; verifiers then need their JWKS_COOLDOWN on top: see docs/adr/0005-signing-keys.md.
    if (config.KEY_ACTIVATION_DELAY <= config.KEY_RELOAD_INTERVAL) {
      ctx.addIssue({
        code: 'custom',
        path: ['KEY_ACTIVATION_DELAY'],
        message:
          'must exceed KEY_RELOAD_INTERVAL (and should exceed it by the verifiers’ JWKS_COOLDOWN)',
      });
    }
    if (config.REFRESH_TOKEN_IDLE_TTL > config.REFRESH_TOKEN_ABSOLUTE_TTL) {
      ctx.addIssue({
        code: 'custom',
        path: ['REFRESH_TOKEN_IDLE_TTL'],
        message: 'must not exceed REFRESH_TOKEN_ABSOLUTE_TTL',
      });
    }
  });

export type AuthConfig = z.infer<typeof configSchema>;
