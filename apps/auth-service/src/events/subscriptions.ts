import type { Closeable } from '@dja/http';
import type { BrokerConnection } from '@dja/messaging';
import { SERVICE_NAME, type Dependencies } from '../dependencies';
import { followKeyWithdrawals } from '../keys/follow-key-withdrawals';

/**
 * Every event this service consumes, and its handler: `signing-key.withdrawn`, so that every
 * replica stops signing with, publishing and accepting a key another replica withdrew. It
 * publishes `user.registered`, `session.revoked` and the rest from its outbox.
 */
export function subscribeToEvents(
  broker: BrokerConnection | undefined,
  deps: Dependencies,
): Closeable {
  return { close: followKeyWithdrawals(broker, { ...deps, service: SERVICE_NAME }) };
}
