/**
 * The time rules of syncing (spec/enrollment-rules.md, "Syncing devices from Apple"), as pure
 * functions of the token's sync state and the clock, so that the refusals and the token's
 * `nextManualSyncAt` / `nextFullSyncAt` can never disagree.
 *
 * - A manual sync at most once per MANUAL_SYNC_MIN_INTERVAL_S (15 min), counted from the previous
 *   manual request. The sync that follows a token upload, and scheduled ones, do not count.
 * - An optional full sync at most once per FULL_SYNC_MIN_INTERVAL_S (7 days), counted from the
 *   previous full sync that completed its fetch (whatever started it, the upload's included).
 *   When depgate has no usable cursor (first sync, Apple refused the cursor, a delta failed, a
 *   full fetch was interrupted) the next sync is full whatever was asked, and no limit applies:
 *   there is no other way to sync.
 * - A scheduled (automatic) delta sync every AUTO_SYNC_INTERVAL_S (24 h) after the last sync was
 *   triggered, whatever triggered it.
 */
import { SECOND_MS } from '../clock';

export interface SyncIntervals {
  manualSyncMinIntervalS: number;
  fullSyncMinIntervalS: number;
  autoSyncIntervalS: number;
  syncTimeoutS: number;
}

/** What the rules read from a token. */
export interface TokenSyncState {
  tokenId: string;
  syncCursor: string | null;
  fetchId: string | null;
  fullSyncRequired: boolean;
  lastFullSyncAt: Date | null;
  lastManualSyncAt: Date | null;
  lastSyncTriggeredAt: Date | null;
}

/** A full sync is the only way forward: no cursor, or a full fetch to finish, or flagged. */
export function fullSyncRequired(state: TokenSyncState): boolean {
  return state.fullSyncRequired || state.syncCursor === null || state.fetchId !== null;
}

/** When the next manual sync may be requested; null when it may be now. */
export function nextManualSyncAt(state: TokenSyncState, intervals: SyncIntervals, now: Date): Date | null {
  if (!state.lastManualSyncAt) return null;
  const at = new Date(state.lastManualSyncAt.getTime() + intervals.manualSyncMinIntervalS * SECOND_MS);
  return at.getTime() > now.getTime() ? at : null;
}

/** When a full sync may next be asked for; null when it may be now. */
export function nextFullSyncAt(state: TokenSyncState, intervals: SyncIntervals, now: Date): Date | null {
  if (fullSyncRequired(state) || !state.lastFullSyncAt) return null;
  const at = new Date(state.lastFullSyncAt.getTime() + intervals.fullSyncMinIntervalS * SECOND_MS);
  return at.getTime() > now.getTime() ? at : null;
}

/** Whether the automatic sync is due. */
export function scheduledSyncDue(state: TokenSyncState, intervals: SyncIntervals, now: Date): boolean {
  if (!state.lastSyncTriggeredAt) return true;
  return state.lastSyncTriggeredAt.getTime() + intervals.autoSyncIntervalS * SECOND_MS <= now.getTime();
}

/** Whole seconds until `at` (at least 1), for `retryAfterSeconds`. */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / SECOND_MS));
}
