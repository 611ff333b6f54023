/**
 * Every event that crosses instances, in one module: the topic names and the exact payload each
 * carries (the protocol types live together, graphql-ws style, so publishers and subscribers cannot
 * drift apart).
 *
 * Payloads travel as JSON inside a PostgreSQL NOTIFY, which caps them under 8000 bytes: they carry
 * ids, statuses and counters, never rows. A subscriber that needs the full object loads it by id
 * (through the request's loaders), which also re-applies access rules to current data. Times are
 * ISO-8601 strings because JSON has no Date.
 */

/** Mirrors the SyncRun status enum of the GraphQL contract (DESIGN.md, "Main types"). */
export type SyncRunStatusName = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

/**
 * Every alert kind: `AlertKind` of the GraphQL contract mirrors it (src/alerts/alert.types.ts fails
 * to compile when the two differ), and a migration adds each to the
 * alert_kinds table (a test compares them).
 */
export const ALERT_KINDS = [
  'DEP_TOKEN_EXPIRING',
  'DEP_TOKEN_EXPIRED',
  'DEP_TOKEN_REJECTED',
  'DEP_TERMS_NOT_ACCEPTED',
  'DEP_SYNC_FAILING',
  'VPP_TOKEN_EXPIRING',
  'VPP_TOKEN_EXPIRED',
  'VPP_TOKEN_REVOKED',
  'VPP_LICENSES_LOW',
  'VPP_LICENSES_EXHAUSTED',
  'DEVICE_MIGRATION_DEADLINE',
  'APNS_CERT_EXPIRING',
  'APNS_CERT_EXPIRED',
  'WEBHOOK_DISABLED',
  'APPLE_BUSINESS_ACCOUNT_REFUSED',
  'APPLE_BUSINESS_ASSERTION_EXPIRING',
  'APPLE_BUSINESS_ASSERTION_EXPIRED',
] as const;

export type AlertKindName = (typeof ALERT_KINDS)[number];

export const Topic = {
  /** A sync run changed: queued, started, a page or its assignments counted, turned full, handed back, or finished. */
  SYNC_RUN_CHANGED: 'SYNC_RUN_CHANGED',
  /** An alert was raised (expiry, terms, failing syncs, licences). */
  ALERT_RAISED: 'ALERT_RAISED',
  /** An alert was resolved (its cause went away, or a more urgent crossing superseded it). */
  ALERT_RESOLVED: 'ALERT_RESOLVED',
  /** A DEP token was uploaded, renewed or updated (depTokenChanged; sync outcomes and alerts also count). */
  DEP_TOKEN_CHANGED: 'DEP_TOKEN_CHANGED',
  /** An API key was revoked: every instance closes that key's open WebSockets. */
  API_KEY_REVOKED: 'API_KEY_REVOKED',
  /** An Apple Business device activity was created, polled with a new status, or completed. */
  ORG_DEVICE_ACTIVITY_CHANGED: 'ORG_DEVICE_ACTIVITY_CHANGED',
} as const;

export interface OrgDeviceActivityChangedEvent {
  activityId: string;
  accountId: string;
  status: string;
  subStatus?: string | null;
}

export type TopicName = (typeof Topic)[keyof typeof Topic];

export interface SyncRunChangedEvent {
  runId: string;
  tokenId: string;
  status: SyncRunStatusName;
  kind?: 'FULL' | 'DELTA';
  pagesFetched: number;
  devicesAdded: number;
  devicesModified: number;
  devicesDeleted: number;
  devicesSkipped?: number;
  assignmentsMade?: number;
  assignmentsFailed?: number;
  /** Devices the run's full fetch has listed so far. */
  devicesFetched?: number;
  /** A full sync's estimate of the devices it will list; null when unknown. */
  expectedDevices?: number | null;
  /** The error code only (never Apple's response body): the message is read from the run. */
  errorCode?: string;
  /** ISO-8601, when the run (last) started; absent while it never ran. */
  startedAt?: string;
  /** ISO-8601, when the run ended; absent while it has not. */
  finishedAt?: string;
  /** ISO-8601, when the run changed. */
  changedAt?: string;
}

export interface AlertRaisedEvent {
  alertId: string;
  kind: AlertKindName;
  /** The DEP token the alert is about, when there is one (scope-tag filtering uses it). */
  tokenId?: string;
  /** The VPP token the alert is about, when there is one. */
  vppTokenId?: string;
  /** The Apple School or Business API account the alert is about, when there is one (its own scope tags). */
  appleBusinessAccountId?: string;
}

/** Same shape as ALERT_RAISED: the resolved alert, its kind and its subject (scope filtering). */
export type AlertResolvedEvent = AlertRaisedEvent;

/** The token only: subscribers read it (with their own visibility) when told. */
export interface DepTokenChangedEvent {
  tokenId: string;
}

/** The revoked key's id: every instance closes the WebSockets that key opened. */
export interface ApiKeyRevokedEvent {
  apiKeyId: string;
}

/**
 * The topic map in @graphql-yoga/subscription's shape: topic -> publish arguments. A one-element
 * tuple means `publish(topic, payload)`; yoga's `[id, payload]` form (topic `NAME:id`) also works
 * through this pub/sub, but depgate filters in the subscription resolver instead so that one
 * topic serves every scope.
 */
export type DepgateTopics = {
  [Topic.SYNC_RUN_CHANGED]: [SyncRunChangedEvent];
  [Topic.ALERT_RAISED]: [AlertRaisedEvent];
  [Topic.ALERT_RESOLVED]: [AlertResolvedEvent];
  [Topic.DEP_TOKEN_CHANGED]: [DepTokenChangedEvent];
  [Topic.API_KEY_REVOKED]: [ApiKeyRevokedEvent];
  [Topic.ORG_DEVICE_ACTIVITY_CHANGED]: [OrgDeviceActivityChangedEvent];
};
