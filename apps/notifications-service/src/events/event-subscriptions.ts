import { type BrokerConnection, subscribe, type Subscription } from '@dja/messaging';
import {
  notifyOrderConfirmation,
  notifyWelcome,
  type NotifyDeps,
} from '../notifications/record-notification';

/** One durable queue that every replica consumes from: each event is handled by one replica. */
export const EVENTS_QUEUE = 'notifications-service.events';

export interface EventSubscriptionOptions {
  maxAttempts: number;
  retryDelayMs: number;
  /** Another queue name, for tests that share a broker. */
  queue?: string;
}

/** Every event this service consumes, and what it does with it. */
export function subscribeToEvents(
  broker: BrokerConnection,
  deps: NotifyDeps,
  options: EventSubscriptionOptions,
): Subscription {
  return subscribe(broker, {
    delivery: { kind: 'competing', queue: options.queue ?? EVENTS_QUEUE },
    handlers: {
      'user.registered': (event) => notifyWelcome(deps, event),
      'order.created': (event) => notifyOrderConfirmation(deps, event),
    },
    logger: deps.logger,
    maxAttempts: options.maxAttempts,
    retryDelayMs: options.retryDelayMs,
  });
}
