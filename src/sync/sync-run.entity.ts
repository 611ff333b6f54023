import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SyncRunKindName = 'FULL' | 'DELTA';
export type SyncRunTriggerName = 'MANUAL' | 'SCHEDULED' | 'TOKEN_UPLOAD';
export type SyncRunStatusName = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
/** Why a run is (or became) a full sync. */
export type FullSyncReasonName =
  | 'REQUESTED'
  | 'TOKEN_UPLOADED'
  | 'NO_CURSOR'
  | 'CURSOR_INVALID'
  | 'CURSOR_EXPIRED'
  | 'AFTER_FAILED_DELTA'
  | 'RESUMING_FETCH';

export const ACTIVE_STATUSES: readonly SyncRunStatusName[] = ['QUEUED', 'RUNNING'];

/** One pass that pulls a token's device list (FULL) or its changes (DELTA) from Apple. */
@Entity({ name: 'sync_runs' })
export class SyncRunEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Insertion order (newest-first lists page on it). */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @Column({ type: 'text' })
  kind: SyncRunKindName;

  @Column({ type: 'text' })
  trigger: SyncRunTriggerName;

  @Column({ type: 'text' })
  status: SyncRunStatusName;

  @Column({ name: 'full_sync_reason', type: 'text', nullable: true })
  fullSyncReason: FullSyncReasonName | null;

  @Column({ name: 'queued_at', type: 'timestamptz', precision: 3 })
  queuedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', precision: 3, nullable: true })
  startedAt: Date | null;

  /** Set at every (re)start: SYNC_TIMEOUT_S after it the run is aborted. */
  @Column({ name: 'deadline_at', type: 'timestamptz', precision: 3, nullable: true })
  deadlineAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  /** Executions started (a run handed back after a shutdown resumes with a second one). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'pages_fetched', type: 'integer', default: 0 })
  pagesFetched: number;

  @Column({ name: 'devices_added', type: 'integer', default: 0 })
  devicesAdded: number;

  @Column({ name: 'devices_modified', type: 'integer', default: 0 })
  devicesModified: number;

  @Column({ name: 'devices_deleted', type: 'integer', default: 0 })
  devicesDeleted: number;

  /** Records Apple sent that could not be stored (no valid serial): skipped, the run goes on. */
  @Column({ name: 'devices_skipped', type: 'integer', default: 0 })
  devicesSkipped: number;

  /** Devices without a profile whose platform has no default profile on the token: left alone. */
  @Column({ name: 'devices_without_default_profile', type: 'integer', default: 0 })
  devicesWithoutDefaultProfile: number;

  @Column({ name: 'assignments_made', type: 'integer', default: 0 })
  assignmentsMade: number;

  @Column({ name: 'assignments_failed', type: 'integer', default: 0 })
  assignmentsFailed: number;

  /** A full sync's estimate: the token's synced device count when the run became full; null when unknown (first sync, delta). */
  @Column({ name: 'expected_devices', type: 'integer', nullable: true })
  expectedDevices: number | null;

  /** Devices the run's full fetch has listed so far (what progress measures against expectedDevices). */
  @Column({ name: 'devices_fetched', type: 'integer', default: 0 })
  devicesFetched: number;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'requested_by_api_key_id', type: 'uuid', nullable: true })
  requestedByApiKeyId: string | null;

  /** The pg-boss job that executes the run (a new one when the run is handed back to the queue). */
  @Column({ name: 'job_id', type: 'text', nullable: true })
  jobId: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}

/** A sync_runs row as raw SQL returns it (snake_case), mapped to the entity shape. */
export function syncRunFromRow(row: Record<string, any>): SyncRunEntity {
  return Object.assign(new SyncRunEntity(), {
    id: row.id,
    seq: String(row.seq),
    tokenId: row.token_id,
    kind: row.kind,
    trigger: row.trigger,
    status: row.status,
    fullSyncReason: row.full_sync_reason ?? null,
    queuedAt: row.queued_at,
    startedAt: row.started_at ?? null,
    deadlineAt: row.deadline_at ?? null,
    finishedAt: row.finished_at ?? null,
    attempts: row.attempts,
    pagesFetched: row.pages_fetched,
    devicesAdded: row.devices_added,
    devicesModified: row.devices_modified,
    devicesDeleted: row.devices_deleted,
    devicesSkipped: row.devices_skipped ?? 0,
    devicesWithoutDefaultProfile: row.devices_without_default_profile ?? 0,
    assignmentsMade: row.assignments_made,
    assignmentsFailed: row.assignments_failed,
    expectedDevices: row.expected_devices ?? null,
    devicesFetched: row.devices_fetched ?? 0,
    errorCode: row.error_code ?? null,
    errorMessage: row.error_message ?? null,
    requestedByApiKeyId: row.requested_by_api_key_id ?? null,
    jobId: row.job_id ?? null,
    updatedAt: row.updated_at,
  });
}
