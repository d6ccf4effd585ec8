import type { EventEnvelope } from '@dja/messaging';
import type { Profile } from '../profiles/profile-client';

export type NotificationKind = 'welcome' | 'order_confirmation';

export interface NotificationMessage {
  kind: NotificationKind;
  title: string;
  body: string;
  orderId?: string;
}

const greeting = (profile: Profile) => `Hi ${profile.displayName ?? 'there'}`;

export function welcomeMessage(profile: Profile): NotificationMessage {
  return {
    kind: 'welcome',
    title: 'Welcome!',
    body: `${greeting(profile)}, welcome aboard. Your account ${profile.email} is ready.`,
  };
}

export function orderConfirmationMessage(
  profile: Profile,
  order: EventEnvelope<'order.created'>['data'],
): NotificationMessage {
  const count = order.items.reduce((sum, item) => sum + item.quantity, 0);
  return {
    kind: 'order_confirmation',
    title: 'Order confirmed',
    body: `${greeting(profile)}, your order ${order.orderId} of ${count} ${count === 1 ? 'item' : 'items'} is confirmed.`,
    orderId: order.orderId,
  };
}
