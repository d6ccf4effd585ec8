import type { Closeable } from '@dja/http';
import type { BrokerConnection } from '@dja/messaging';
import type { Dependencies } from '../dependencies';

/** Every event this service consumes, and its handler: none; it publishes `order.created`. */
export function subscribeToEvents(_broker: BrokerConnection, _deps: Dependencies): Closeable {
  return { close: async () => undefined };
}
