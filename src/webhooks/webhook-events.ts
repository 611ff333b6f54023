/** What a webhook can be told of (the GraphQL enum WebhookEvent mirrors it). */
export const WEBHOOK_EVENTS = [
  'DEVICES_ADDED',
  'DEVICES_MODIFIED',
  'DEVICES_DELETED',
  'DEVICES_ASSIGNED',
  'SYNC_RUN_FINISHED',
  'ALERT_RAISED',
  'ALERT_RESOLVED',
  'TOKEN_STATUS_CHANGED',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** What an event is about, for scope tags and ordering: a DEP token, a VPP token, an Apple Business account, or none (deployment-wide). */
export interface WebhookSubject {
  tokenId?: string | null;
  vppTokenId?: string | null;
  appleBusinessAccountId?: string | null;
}
