import {
  type BrokerConnection,
  type BrokerLogger,
  subscribe,
  type Subscription,
} from '@dja/messaging';
import type { Database } from '../database';
import { onUserRegistered } from './user-registered';

/** The durable queue every replica consumes `user.registered` from (competing consumers). */
export const USER_REGISTERED_QUEUE = 'profile-service.user-registered';

export interface SubscriptionDeps {
  broker: BrokerConnection;
  db: Database;
  clock: () => Date;
  logger: BrokerLogger;
  maxAttempts: number;
}

/**
 * Every event this service consumes, and its handler. `queue` is for tests that run side by
 * side on one broker and must not take each other's events.
 */
export function subscribeToEvents(
  deps: SubscriptionDeps,
  queue: string = USER_REGISTERED_QUEUE,
): Subscription {
  return subscribe(deps.broker, {
    delivery: { kind: 'competing', queue },
    logger: deps.logger,
    maxAttempts: deps.maxAttempts,
    handlers: {
      'user.registered': (event) => onUserRegistered(deps, event),
    },
  });
}
