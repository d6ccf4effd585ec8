import { type BrokerConnection, subscribe, type Subscription } from '@dja/messaging';
import type { Dependencies } from '../dependencies';
import { notifyOrderConfirmation, notifyWelcome } from '../notifications/record-notification';

/** One durable queue that every replica consumes from: each event is handled by one replica. */
export const EVENTS_QUEUE = 'notifications-service.events';

/**
 * Every event this service consumes, and what it does with it. `queue` is for tests that run
 * side by side on one broker and must not take each other's events.
 */
export function subscribeToEvents(
  broker: BrokerConnection,
  deps: Dependencies,
  queue: string = EVENTS_QUEUE,
): Subscription {
  return subscribe(broker, {
    delivery: { kind: 'competing', queue },
    handlers: {
      'user.registered': (event) => notifyWelcome(deps, event),
      'order.created': (event) => notifyOrderConfirmation(deps, event),
    },
    logger: deps.logger,
    metrics: deps.messagingMetrics,
    maxAttempts: deps.config.EVENT_MAX_ATTEMPTS,
    retryDelayMs: deps.config.EVENT_RETRY_DELAY_MS,
  });
}
