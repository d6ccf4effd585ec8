import { randomUUID } from 'node:crypto';
import type { Logger } from '@dja/http';
import type { EventEnvelope, EventType } from '@dja/messaging';
import type { Database } from '../database';
import type { Profile, ProfileClient } from '../profiles/profile-client';
import {
  type NotificationMessage,
  orderConfirmationMessage,
  welcomeMessage,
} from './notification-messages';
import type { EventOutcome, NotificationMetrics } from './notification-metrics';

export interface NotifyDeps {
  db: Database;
  profiles: ProfileClient;
  logger: Logger;
  clock: () => Date;
  notificationMetrics: NotificationMetrics;
}

/** `user.registered` → a welcome notification. */
export function notifyWelcome(deps: NotifyDeps, event: EventEnvelope<'user.registered'>) {
  return recordNotification(deps, event, welcomeMessage);
}

/** `order.created` → an order confirmation. */
export function notifyOrderConfirmation(deps: NotifyDeps, event: EventEnvelope<'order.created'>) {
  return recordNotification(deps, event, (profile) =>
    orderConfirmationMessage(profile, event.data),
  );
}

/**
 * Makes the one notification an event yields. Delivery is at least once, so the same event may
 * arrive twice, even at two replicas at the same moment: the unique `event_id` lets exactly one
 * insert win (ON CONFLICT DO NOTHING), and the early lookup only saves a profile call.
 * Failures (profile missing or unavailable) propagate, so the event is retried, then
 * dead-lettered.
 */
async function recordNotification(
  deps: NotifyDeps,
  event: { id: string; type: EventType; data: { userId: string } },
  compose: (profile: Profile) => NotificationMessage,
): Promise<void> {
  const outcome = await record(deps, event.id, event.data.userId, compose);
  deps.notificationMetrics.eventsHandled.inc({ type: event.type, outcome });
}

async function record(
  deps: NotifyDeps,
  eventId: string,
  userId: string,
  compose: (profile: Profile) => NotificationMessage,
): Promise<EventOutcome> {
  const existing = await deps.db.notification.findUnique({
    where: { eventId },
    select: { id: true },
  });
  if (existing) return 'duplicate';

  const profile = await deps.profiles.getProfile(userId);
  const message = compose(profile);
  const id = randomUUID();
  const { count } = await deps.db.notification.createMany({
    data: [
      {
        id,
        eventId,
        userId,
        kind: message.kind,
        title: message.title,
        body: message.body,
        recipientEmail: profile.email,
        orderId: message.orderId ?? null,
        createdAt: deps.clock(),
      },
    ],
    skipDuplicates: true,
  });
  if (count === 0) return 'duplicate'; // another replica recorded it first

  // This is where a real system hands the message to a mail provider (SES, Postmark…), keyed by
  // the notification id so that provider-side deduplication absorbs a retry. This reference
  // architecture stores the notification and stops here.
  deps.logger.info({ notificationId: id, eventId, kind: message.kind }, 'notification recorded');
  return 'recorded';
}
