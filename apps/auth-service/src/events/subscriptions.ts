import type { Closeable } from '@dja/http';
import type { BrokerConnection } from '@dja/messaging';
import type { Dependencies } from '../dependencies';

/**
 * Every event this service consumes, and its handler: none. It publishes `user.registered`,
 * `session.revoked` and the rest from its outbox (see startBackgroundJobs).
 */
export function subscribeToEvents(
  _broker: BrokerConnection | undefined,
  _deps: Dependencies,
): Closeable {
  return { close: async () => undefined };
}
