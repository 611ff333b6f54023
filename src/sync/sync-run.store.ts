/**
 * Every write to a sync run goes through here, in the caller's transaction, and announces the new
 * state on the events channel in that same transaction: NOTIFY is transactional, so subscribers
 * hear of a state only once it is committed, in commit order (queued, running, each page, final).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { Topic, type SyncRunChangedEvent } from '../events/topics';
import type { Placeholder } from '../database/placeholder';
import type { SqlRunner } from '../database/sql-runner';
import {
  syncRunFromRow,
  type FullSyncReasonName,
  type SyncRunEntity,
  type SyncRunKindName,
  type SyncRunStatusName,
  type SyncRunTriggerName,
} from './sync-run.entity';

/** What the store needs of the events module: a publish that can ride on a transaction. */
export interface SyncEventPublisher {
  publish(topic: typeof Topic.SYNC_RUN_CHANGED, payload: SyncRunChangedEvent, options?: { executor?: SqlRunner }): Promise<void>;
}

export interface RunCounters {
  pagesFetched?: number;
  devicesAdded?: number;
  devicesModified?: number;
  devicesDeleted?: number;
  devicesSkipped?: number;
  devicesWithoutDefaultProfile?: number;
  assignmentsMade?: number;
  assignmentsFailed?: number;
  /** Devices a full fetch page listed (progress). */
  devicesFetched?: number;
}

/**
 * A full sync's estimate: the token's synced device count, once it has synced successfully (before
 * that the count says nothing about what Apple holds).
 */
const expectedDevicesOf = (tokenIdSql: '$1' | 'r.token_id') =>
  // A SQL expression for the token's id (a placeholder or a column), never a value: the type
  // admits only the two the statements below use, so no caller can splice a value in.
  `(SELECT t.synced_device_count FROM dep_tokens t WHERE t.id = ${tokenIdSql} AND t.last_successful_sync_at IS NOT NULL)`;

export interface NewRun {
  tokenId: string;
  kind: SyncRunKindName;
  trigger: SyncRunTriggerName;
  fullSyncReason: FullSyncReasonName | null;
  requestedByApiKeyId?: string | null;
}

/**
 * The rows of an `UPDATE ... RETURNING`: TypeORM answers UPDATE and DELETE with `[rows, rowCount]`
 * (every other command with the rows), pg with a result object.
 */
export function returnedRows(result: unknown): Record<string, any>[] {
  if (Array.isArray(result)) {
    if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
    return result;
  }
  return ((result as { rows?: Record<string, any>[] })?.rows ?? []) as Record<string, any>[];
}

export function changedEvent(run: SyncRunEntity, changedAt: Date): SyncRunChangedEvent {
  return {
    runId: run.id,
    tokenId: run.tokenId,
    status: run.status,
    kind: run.kind,
    pagesFetched: run.pagesFetched,
    devicesAdded: run.devicesAdded,
    devicesModified: run.devicesModified,
    devicesDeleted: run.devicesDeleted,
    devicesSkipped: run.devicesSkipped,
    assignmentsMade: run.assignmentsMade,
    assignmentsFailed: run.assignmentsFailed,
    devicesFetched: run.devicesFetched,
    expectedDevices: run.expectedDevices,
    ...(run.errorCode ? { errorCode: run.errorCode } : {}),
    ...(run.startedAt ? { startedAt: run.startedAt.toISOString() } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt.toISOString() } : {}),
    changedAt: changedAt.toISOString(),
  };
}

export class SyncRunStore {
  constructor(
    private readonly clock: Clock,
    private readonly events?: SyncEventPublisher,
  ) {}

  async announce(db: SqlRunner, run: SyncRunEntity): Promise<SyncRunEntity> {
    if (this.events) await this.events.publish(Topic.SYNC_RUN_CHANGED, changedEvent(run, this.clock.now()), { executor: db });
    return run;
  }

  async insert(db: SqlRunner, run: NewRun): Promise<SyncRunEntity> {
    const now = this.clock.now();
    const rows = returnedRows(await db.query(
      `INSERT INTO sync_runs (id, token_id, kind, trigger, status, full_sync_reason, queued_at, requested_by_api_key_id, updated_at, expected_devices)
       VALUES ($2, $1, $3, $4, 'QUEUED', $5, $6, $7, $6, CASE WHEN $3 = 'FULL' THEN ${expectedDevicesOf('$1')} END) RETURNING *`,
      [run.tokenId, randomUUID(), run.kind, run.trigger, run.fullSyncReason, now, run.requestedByApiKeyId ?? null],
    ));
    return syncRunFromRow(rows[0]);
  }

  async setJob(db: SqlRunner, runId: string, jobId: string | null): Promise<void> {
    await db.query(`UPDATE sync_runs SET job_id = $2 WHERE id = $1`, [runId, jobId]);
  }

  async find(db: SqlRunner, runId: string): Promise<SyncRunEntity | null> {
    const rows = returnedRows(await db.query(`SELECT * FROM sync_runs WHERE id = $1`, [runId]));
    return rows[0] ? syncRunFromRow(rows[0]) : null;
  }

  /** QUEUED -> RUNNING (null when the run is not queued any more). The deadline restarts with every execution. */
  async start(db: SqlRunner, runId: string, deadline: Date): Promise<SyncRunEntity | null> {
    const now = this.clock.now();
    const rows = returnedRows(await db.query(
      `UPDATE sync_runs SET status = 'RUNNING', started_at = COALESCE(started_at, $2), deadline_at = $3, attempts = attempts + 1, updated_at = $2
        WHERE id = $1 AND status = 'QUEUED' RETURNING *`,
      [runId, now, deadline],
    ));
    return rows[0] ? this.announce(db, syncRunFromRow(rows[0])) : null;
  }

  async becomeFull(db: SqlRunner, runId: string, reason: FullSyncReasonName): Promise<SyncRunEntity> {
    const rows = returnedRows(await db.query(
      `UPDATE sync_runs r SET kind = 'FULL', full_sync_reason = $2, updated_at = $3,
              expected_devices = COALESCE(r.expected_devices, ${expectedDevicesOf('r.token_id')})
        WHERE r.id = $1 RETURNING *`,
      [runId, reason, this.clock.now()],
    ));
    return this.announce(db, syncRunFromRow(rows[0]));
  }

  /** Adds to the counters (a page, the sweep, assignments) and announces the new totals. */
  async count(db: SqlRunner, runId: string, counters: RunCounters): Promise<SyncRunEntity> {
    const rows = returnedRows(await db.query(
      `UPDATE sync_runs SET
          pages_fetched = pages_fetched + $2, devices_added = devices_added + $3, devices_modified = devices_modified + $4,
          devices_deleted = devices_deleted + $5, assignments_made = assignments_made + $6, assignments_failed = assignments_failed + $7,
          devices_fetched = devices_fetched + $9, devices_skipped = devices_skipped + $10,
          devices_without_default_profile = devices_without_default_profile + $11, updated_at = $8
        WHERE id = $1 RETURNING *`,
      [
        runId,
        counters.pagesFetched ?? 0,
        counters.devicesAdded ?? 0,
        counters.devicesModified ?? 0,
        counters.devicesDeleted ?? 0,
        counters.assignmentsMade ?? 0,
        counters.assignmentsFailed ?? 0,
        this.clock.now(),
        counters.devicesFetched ?? 0,
        counters.devicesSkipped ?? 0,
        counters.devicesWithoutDefaultProfile ?? 0,
      ],
    ));
    return this.announce(db, syncRunFromRow(rows[0]));
  }

  /**
   * `count` of a page as a data-modifying CTE of the page's own statement (page-write.ts: one
   * round trip instead of one more per page): one page fetched, the added / modified / deleted
   * columns of the one-row relation `from`, and the fetched and skipped devices. The arguments are
   * placeholders of that statement (and the relation a CTE of it); RETURNING the run's row, for
   * `announceRow`.
   */
  static pageCountCte(p: { runId: Placeholder; from: 'page_counts'; fetched: Placeholder; skipped: Placeholder; updatedAt: Placeholder }): string {
    return `UPDATE sync_runs r SET
         pages_fetched = r.pages_fetched + 1, devices_added = r.devices_added + c.added,
         devices_modified = r.devices_modified + c.modified, devices_deleted = r.devices_deleted + c.deleted,
         devices_fetched = r.devices_fetched + ${p.fetched}::int, devices_skipped = r.devices_skipped + ${p.skipped}::int,
         updated_at = ${p.updatedAt}::timestamptz
       FROM ${p.from} c WHERE r.id = ${p.runId} RETURNING r.*`;
  }

  /** A run row another statement returned (pageCountCte), announced as `count` announces its own. */
  async announceRow(db: SqlRunner, row: Record<string, any>): Promise<SyncRunEntity> {
    return this.announce(db, syncRunFromRow(row));
  }

  /** RUNNING (or QUEUED) -> a final state. Null when the run had already ended. */
  async finish(
    db: SqlRunner,
    runId: string,
    status: Extract<SyncRunStatusName, 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'>,
    error?: { code: string; message: string },
  ): Promise<SyncRunEntity | null> {
    const now = this.clock.now();
    const rows = returnedRows(await db.query(
      `UPDATE sync_runs SET status = $2, finished_at = $3, error_code = $4, error_message = $5, updated_at = $3
        WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING *`,
      [runId, status, now, error?.code ?? null, error?.message ?? null],
    ));
    return rows[0] ? this.announce(db, syncRunFromRow(rows[0])) : null;
  }

  /** RUNNING -> QUEUED: this instance stops; another picks the run up where it was. */
  async handBack(db: SqlRunner, runId: string): Promise<SyncRunEntity | null> {
    const rows = returnedRows(await db.query(
      `UPDATE sync_runs SET status = 'QUEUED', deadline_at = NULL, updated_at = $2 WHERE id = $1 AND status = 'RUNNING' RETURNING *`,
      [runId, this.clock.now()],
    ));
    return rows[0] ? this.announce(db, syncRunFromRow(rows[0])) : null;
  }
}
