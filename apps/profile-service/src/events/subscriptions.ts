import { type BrokerConnection, subscribe, type Subscription } from '@dja/messaging';
import type { Dependencies } from '../dependencies';
import { onUserRegistered } from './user-registered';

/** The durable queue every replica consumes `user.registered` from (competing consumers). */
export const USER_REGISTERED_QUEUE = 'profile-service.user-registered';

/**
 * Every event this service consumes, and its handler. `queue` is for tests that run side by
 * side on one broker and must not take each other's events.
 */
export function subscribeToEvents(
  broker: BrokerConnection,
  deps: Dependencies,
  queue: string = USER_REGISTERED_QUEUE,
): Subscription {
  return subscribe(broker, {
    delivery: { kind: 'competing', queue },
    logger: deps.logger,
    metrics: deps.messagingMetrics,
    maxAttempts: deps.config.EVENT_MAX_ATTEMPTS,
    handlers: {
      'user.registered': (event) => onUserRegistered(deps, event),
    },
  });
}
