import { Counter, Gauge, type Registry } from 'prom-client';

export interface AuthMetrics {
  tokensIssued: Counter<'grant_type'>;
  failedLogins: Counter<'reason'>;
  refreshTokenReuse: Counter;
  signingKeysWithdrawn: Counter;
  throttled: Counter<'throttle'>;
}

/** The auth service's own counters, next to the HTTP metrics of @dja/http. */
export function createAuthMetrics(registry: Registry): AuthMetrics {
  return {
    tokensIssued: new Counter({
      name: 'auth_tokens_issued_total',
      help: 'Access tokens issued, by grant type (password = POST /login).',
      labelNames: ['grant_type'] as const,
      registers: [registry],
    }),
    failedLogins: new Counter({
      name: 'auth_failed_logins_total',
      help: 'Refused logins, by reason: invalid_credentials, throttled, suspended.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    refreshTokenReuse: new Counter({
      name: 'auth_refresh_token_reuse_total',
      help: 'Spent refresh tokens presented again; each revoked its session.',
      registers: [registry],
    }),
    signingKeysWithdrawn: new Counter({
      name: 'auth_signing_keys_withdrawn_total',
      help: 'Signing keys withdrawn by an admin (POST /admin/keys/{kid}/withdraw) on this replica.',
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'auth_throttled_requests_total',
      help: 'Requests answered 429, by throttle: login, registration, client_authentication.',
      labelNames: ['throttle'] as const,
      registers: [registry],
    }),
  };
}

/** `auth_password_hash_queue_depth`: argon2 jobs waiting; at PASSWORD_HASH_MAX_QUEUED logins get 503. */
export function registerPasswordQueueDepth(
  registry: Registry,
  threads: { readonly queueDepth: number },
): void {
  new Gauge({
    name: 'auth_password_hash_queue_depth',
    help: 'Password hashes waiting for a free password thread.',
    registers: [registry],
    collect() {
      this.set(threads.queueDepth);
    },
  });
}
