import type { AccessTokenVerifier, InMemoryRevocationList, RevocationSnapshot } from '@dja/auth';
import {
  type BrokerConnection,
  type BrokerLogger,
  subscribe,
  type MessagingMetrics,
  type Subscription,
} from '@dja/messaging';
import type { RevocationLag } from './auth-metrics';
import type { ServiceTokenClient } from './service-token-client';

const toSeconds = (iso: string) => Math.ceil(Date.parse(iso) / 1000);

export interface RevocationFeedOptions {
  broker: BrokerConnection;
  list: InMemoryRevocationList;
  /** Told about withdrawn signing keys, from the snapshot and from `signing-key.withdrawn`. */
  verifier: Pick<AccessTokenVerifier, 'withdrawKey'>;
  /** Names this replica's broadcast queue, e.g. `orders-service`. */
  service: string;
  /** The revocations in force, from auth-service; loaded before events on every (re)connect. */
  loadSnapshot: () => Promise<RevocationSnapshot>;
  logger: BrokerLogger;
  /** Observes each revocation's delay from issue to apply; nothing by default. */
  lag?: RevocationLag;
  /** Counts retries and dead letters of the feed's queue. */
  metrics?: MessagingMetrics;
}

export interface RevocationFeed {
  /** True once a snapshot has been loaded and events are being applied. */
  isSynced(): boolean;
  close(): Promise<void>;
}

/**
 * Keeps this replica's revocation list and withdrawn signing keys current. Each replica has its own broadcast queue, so a
 * logout reaches every replica of every service within milliseconds. Events published while a
 * replica had no queue (before it started, or while disconnected) are not kept for it, so on
 * every (re)connect it binds its queue first, then loads the snapshot, then consumes: nothing
 * falls between the two.
 */
export function startRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const { list, verifier, logger } = options;
  const lag = options.lag ?? { observe: () => undefined };
  /** The audit fields (who, when, the successor) come from the event; a snapshot has fewer. */
  const withdrawKey = (withdrawal: { kid: string; activeKid?: string }) => {
    if (verifier.withdrawKey(withdrawal.kid, withdrawal.activeKid)) {
      logger.warn(withdrawal, 'signing key withdrawn: its tokens are refused');
    }
  };
  let synced = false;
  let closed = false;
  const subscription: Subscription = subscribe(options.broker, {
    delivery: { kind: 'broadcast', service: options.service },
    logger,
    metrics: options.metrics,
    beforeConsume: async () => {
      synced = false;
      // Until the snapshot is in, events wait in the bound queue and /readyz says not ready.
      for (let attempt = 1; !closed; attempt++) {
        try {
          const snapshot = await options.loadSnapshot();
          list.load(snapshot);
          for (const withdrawn of snapshot.withdrawnKeys ?? []) withdrawKey(withdrawn);
          synced = true;
          logger.info({ revocations: list.size }, 'revocation snapshot loaded');
          return;
        } catch (error) {
          logger.warn(
            { err: (error as Error).message, attempt },
            'revocation snapshot failed; retrying',
          );
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)));
        }
      }
    },
    handlers: {
      'session.revoked': ({ data, occurredAt }) => {
        list.revokeSession(data.sessionId, toSeconds(data.expiresAt));
        lag.observe(occurredAt);
      },
      'user.suspended': ({ data, occurredAt }) => {
        list.revokeUser(
          data.userId,
          Math.floor(Date.parse(data.suspendedAt) / 1000),
          toSeconds(data.expiresAt),
        );
        lag.observe(occurredAt);
      },
      // Tokens issued after the suspension already pass; the older ones must stay refused.
      'user.unsuspended': () => undefined,
      'signing-key.withdrawn': ({ data }) => withdrawKey(data),
    },
  });
  return {
    isSynced: () => synced,
    close: () => {
      closed = true;
      return subscription.close();
    },
  };
}

/** Fetches the snapshot from auth-service's internal endpoint with this service's own token. */
export function revocationSnapshotLoader(
  url: string,
  tokens: ServiceTokenClient,
  { timeoutMs = 5000, fetch: doFetch = fetch }: { timeoutMs?: number; fetch?: typeof fetch } = {},
): () => Promise<RevocationSnapshot> {
  return async () => {
    const response = await doFetch(url, {
      headers: { Authorization: `Bearer ${await tokens.getToken()}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401) tokens.invalidate();
    if (!response.ok)
      throw new Error(`revocation snapshot: auth-service answered ${response.status}`);
    return (await response.json()) as RevocationSnapshot;
  };
}
