export { type BrokerConnection, type BrokerLogger, connectBroker } from './broker';
export {
  createEvent,
  type DomainEvent,
  EVENT_TYPES,
  type EventEnvelope,
  type EventType,
  eventData,
  MalformedEventError,
  parseEvent,
} from './events';
export { createEventRelay, type EventRelay, type EventRelayOptions } from './event-relay';
export {
  enqueueEvent,
  OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRow,
  type SqlClient,
  type TransactionalClient,
} from './outbox';
export {
  createMessagingMetrics,
  type MessagingMetrics,
  registerBrokerMetrics,
  registerOutboxMetrics,
} from './messaging-metrics';
export { createEventPublisher, type EventPublisher, type PublishOptions } from './publisher';
export { RecentEventIds } from './recent-event-ids';
export {
  type Delivery,
  type EventHandlers,
  subscribe,
  type SubscribeOptions,
  type Subscription,
} from './subscriber';
export {
  DEAD_LETTER_EXCHANGE,
  deadLetterQueueName,
  EVENTS_EXCHANGE,
  WORK_QUEUES,
} from './topology';
