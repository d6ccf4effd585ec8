/**
 * The mix of actions, mostly reads. Walked in order from a per-VU offset rather than drawn at
 * random, so that any run of `ACTIONS.length` iterations does each action at least once.
 */
export const ACTIONS = [
  'listOrders',
  'getProfile',
  'createOrder',
  'listOrders',
  'listNotifications',
  'getOrder',
  'listOrders',
  'updateProfile',
  'getProfile',
  'listNotifications',
] as const;
