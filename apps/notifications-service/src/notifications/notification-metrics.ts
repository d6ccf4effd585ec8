import { Counter, type Registry } from 'prom-client';

export type EventOutcome = 'recorded' | 'duplicate';

export interface NotificationMetrics {
  /** Events handled to the end, by type and outcome (failures are retried, so not counted). */
  eventsHandled: Counter<'type' | 'outcome'>;
}

export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  return {
    eventsHandled: new Counter({
      name: 'notifications_events_handled_total',
      help: 'Events handled: `recorded` made a notification, `duplicate` found it already made.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
  };
}
