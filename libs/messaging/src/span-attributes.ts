import type { Attributes } from '@opentelemetry/api';
import { EVENTS_EXCHANGE } from './topology';

/** OpenTelemetry messaging semantic conventions for one event on the events exchange. */
export function messagingAttributes(
  operation: 'send' | 'process',
  event: { id: string; type: string },
): Attributes {
  return {
    'messaging.system': 'rabbitmq',
    'messaging.operation.type': operation,
    'messaging.destination.name': EVENTS_EXCHANGE,
    'messaging.rabbitmq.destination.routing_key': event.type,
    'messaging.message.id': event.id,
  };
}
