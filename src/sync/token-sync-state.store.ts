/**
 * The one writer of `dep_tokens`' sync columns: Apple's cursors and the full-fetch state, the
 * last-sync times the rules count from, and what the last run left on the token (error, refusal,
 * synced device count). The token feature owns the row (name, credentials, expiry) and creates it
 * with empty sync columns; everything sync changes afterwards goes through here, and the row is
 * read as a `TokenSyncState` in this file only.
 *
 * Every method runs on the executor it is given, so each write commits with the page, run change
 * or request it belongs to.
 */
import type { SqlRunner } from '../database/sql-runner';
import type { Placeholder } from '../database/placeholder';
import type { TokenSyncState } from './sync.rules';

/** The rules' state plus what an execution resumes from and the expiry a request checks. */
export interface StoredSyncState extends TokenSyncState {
  fetchCursor: string | null;
  expiresAt: Date;
}

/** Why Apple refused the token itself (shown as the token's status until a sync succeeds). */
export type TokenRefusalName = 'TERMS' | 'REJECTED' | 'EXPIRED';

interface SyncStateRow {
  id: string;
  sync_cursor: string | null;
  fetch_cursor: string | null;
  fetch_id: string | null;
  full_sync_required: boolean;
  last_full_sync_at: Date | null;
  last_manual_sync_at: Date | null;
  last_sync_triggered_at: Date | null;
  expires_at: Date;
}

const STATE_COLUMNS = `id, sync_cursor, fetch_cursor, fetch_id, full_sync_required, last_full_sync_at, last_manual_sync_at,
            last_sync_triggered_at, expires_at`;

function toSyncState(r: SyncStateRow): StoredSyncState {
  return {
    tokenId: r.id,
    syncCursor: r.sync_cursor,
    fetchCursor: r.fetch_cursor,
    fetchId: r.fetch_id,
    fullSyncRequired: r.full_sync_required,
    lastFullSyncAt: r.last_full_sync_at,
    lastManualSyncAt: r.last_manual_sync_at,
    lastSyncTriggeredAt: r.last_sync_triggered_at,
    expiresAt: r.expires_at,
  };
}

export class TokenSyncStateStore {
  // ---------------------------------------------------------------- reads

  /** `lock`: takes the token's row lock, which serialises every sync request for the token. */
  async load(db: SqlRunner, tokenId: string, options: { lock?: boolean } = {}): Promise<StoredSyncState | null> {
    const rows: SyncStateRow[] = await db.query(`SELECT ${STATE_COLUMNS} FROM dep_tokens WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [tokenId]);
    return rows[0] ? toSyncState(rows[0]) : null;
  }

  /** By token id (loaders); absent tokens are missing from the map. */
  async loadMany(db: SqlRunner, tokenIds: readonly string[]): Promise<Map<string, StoredSyncState>> {
    if (tokenIds.length === 0) return new Map();
    const rows: SyncStateRow[] = await db.query(`SELECT ${STATE_COLUMNS} FROM dep_tokens WHERE id = ANY($1::uuid[])`, [[...tokenIds]]);
    return new Map(rows.map((r) => [r.id, toSyncState(r)]));
  }

  /**
   * Unexpired tokens with no run in progress whose last sync was triggered at or before
   * `triggeredBefore` (or never), longest waiting first: candidates for the scheduled sync.
   */
  async dueForScheduledSync(db: SqlRunner, now: Date, triggeredBefore: Date): Promise<string[]> {
    const rows: { id: string }[] = await db.query(
      `SELECT t.id FROM dep_tokens t
        WHERE t.expires_at > $1
          AND (t.last_sync_triggered_at IS NULL OR t.last_sync_triggered_at <= $2)
          AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.token_id = t.id AND r.status IN ('QUEUED', 'RUNNING'))
        ORDER BY t.last_sync_triggered_at NULLS FIRST`,
      [now, triggeredBefore],
    );
    return rows.map((r) => r.id);
  }

  // ---------------------------------------------------------------- requests

  /** A run was queued: the automatic schedule counts from now, and so does the manual limit for a manual one. */
  async markTriggered(db: SqlRunner, tokenId: string, at: Date, manual: boolean): Promise<void> {
    await db.query(
      `UPDATE dep_tokens SET last_sync_triggered_at = $2, last_manual_sync_at = CASE WHEN $3 THEN $2 ELSE last_manual_sync_at END WHERE id = $1`,
      [tokenId, at, manual],
    );
  }

  // ---------------------------------------------------------------- cursors

  /** A full fetch starts (or starts over): until it completes, the next run must be full too. */
  async beginFetch(db: SqlRunner, tokenId: string, fetchId: string, at: Date): Promise<void> {
    await db.query(`UPDATE dep_tokens SET fetch_id = $2, fetch_cursor = NULL, fetch_started_at = $3, full_sync_required = true WHERE id = $1`, [
      tokenId,
      fetchId,
      at,
    ]);
  }

  /** The cursor of a committed fetch page (an interrupted fetch resumes from it). */
  async saveFetchCursor(db: SqlRunner, tokenId: string, cursor: string): Promise<void> {
    await db.query(`UPDATE dep_tokens SET fetch_cursor = $2 WHERE id = $1`, [tokenId, cursor]);
  }

  /**
   * saveFetchCursor or saveSyncCursor as a data-modifying CTE of the page's own statement
   * (page-write.ts: one round trip instead of one more per page). The arguments are placeholders
   * of that statement: the token, 'fetch' or 'sync', the cursor (null: nothing saved) and when a
   * sync cursor was issued.
   */
  static saveCursorCte(p: { tokenId: Placeholder; kind: Placeholder; cursor: Placeholder; issuedAt: Placeholder }): string {
    return `UPDATE dep_tokens SET
         fetch_cursor = CASE WHEN ${p.kind}::text = 'fetch' THEN ${p.cursor}::text ELSE fetch_cursor END,
         sync_cursor = CASE WHEN ${p.kind}::text = 'sync' THEN ${p.cursor}::text ELSE sync_cursor END,
         sync_cursor_issued_at = CASE WHEN ${p.kind}::text = 'sync' THEN ${p.issuedAt}::timestamptz ELSE sync_cursor_issued_at END
       WHERE id = ${p.tokenId} AND ${p.cursor}::text IS NOT NULL`;
  }

  /** The cursor of a committed sync page. */
  async saveSyncCursor(db: SqlRunner, tokenId: string, cursor: string, issuedAt: Date): Promise<void> {
    await db.query(`UPDATE dep_tokens SET sync_cursor = $2, sync_cursor_issued_at = $3 WHERE id = $1`, [tokenId, cursor, issuedAt]);
  }

  /**
   * The fetch listed everything: its last cursor becomes the sync cursor, and the full-sync limit
   * counts from `fullSyncAt` (when the run was queued).
   */
  async completeFetch(db: SqlRunner, tokenId: string, fetch: { syncCursor: string; at: Date; fullSyncAt: Date }): Promise<void> {
    await db.query(
      `UPDATE dep_tokens SET sync_cursor = $2, sync_cursor_issued_at = $3, fetch_cursor = NULL, fetch_id = NULL,
              fetch_started_at = NULL, full_sync_required = false, last_full_sync_at = $4
        WHERE id = $1`,
      [tokenId, fetch.syncCursor, fetch.at, fetch.fullSyncAt],
    );
  }

  /** Apple refused the sync cursor: it is gone, and only a full fetch can replace it. */
  async dropSyncCursor(db: SqlRunner, tokenId: string): Promise<void> {
    await db.query(`UPDATE dep_tokens SET sync_cursor = NULL, full_sync_required = true WHERE id = $1`, [tokenId]);
  }

  /**
   * A full fetch failed: it is dropped, so the next full sync fetches from the start (a new Apple
   * snapshot) instead of resuming the cursor that failed, run after run.
   */
  async abandonFetch(db: SqlRunner, tokenId: string): Promise<void> {
    await db.query(
      `UPDATE dep_tokens SET fetch_id = NULL, fetch_cursor = NULL, fetch_started_at = NULL, full_sync_required = true WHERE id = $1`,
      [tokenId],
    );
  }

  /** The next run is full whatever is asked (after a failed delta). */
  async requireFullSync(db: SqlRunner, tokenId: string): Promise<void> {
    await db.query(`UPDATE dep_tokens SET full_sync_required = true WHERE id = $1`, [tokenId]);
  }

  // ---------------------------------------------------------------- outcomes

  /** A run succeeded: Apple accepts the token again, and the error and refusals are cleared. */
  async recordSuccess(db: SqlRunner, tokenId: string, outcome: { at: Date; syncedDeviceCount: number }): Promise<void> {
    await db.query(
      `UPDATE dep_tokens SET last_successful_sync_at = $2, last_sync_error = NULL, synced_device_count = $3,
              terms_not_accepted_at = NULL, rejected_at = NULL
        WHERE id = $1`,
      [tokenId, outcome.at, outcome.syncedDeviceCount],
    );
  }

  /** A run failed: its message, and since when Apple refuses the token (kept from the first refusal). */
  async recordFailure(db: SqlRunner, tokenId: string, failure: { message: string; tokenRefusal?: TokenRefusalName; at: Date }): Promise<void> {
    await db.query(
      `UPDATE dep_tokens SET last_sync_error = $2,
              terms_not_accepted_at = CASE WHEN $3 THEN COALESCE(terms_not_accepted_at, $5) ELSE terms_not_accepted_at END,
              rejected_at = CASE WHEN $4 THEN COALESCE(rejected_at, $5) ELSE rejected_at END
        WHERE id = $1`,
      [tokenId, failure.message, failure.tokenRefusal === 'TERMS', failure.tokenRefusal === 'REJECTED', failure.at],
    );
  }

  /** A run ended without Apple's word on the token (its instance died): the message only. */
  async recordError(db: SqlRunner, tokenId: string, message: string): Promise<void> {
    await db.query(`UPDATE dep_tokens SET last_sync_error = $2 WHERE id = $1`, [tokenId, message]);
  }
}
