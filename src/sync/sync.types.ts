import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { ErrorCode } from '../graphql/error-code.type';
import { storedErrorCode } from '../errors/error-codes';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { OrderByInput } from '../graphql/order';
import type { SyncRunChangedEvent } from '../events/topics';
import type { SyncRunEntity } from './sync-run.entity';
import { SyncRunOrderField } from './sync-run.order';
import { runProgress } from './sync-progress';

export enum SyncRunKind {
  FULL = 'FULL',
  DELTA = 'DELTA',
}
registerEnumType(SyncRunKind, {
  name: 'SyncRunKind',
  valuesConfig: {
    FULL: { description: 'The complete list of devices assigned to the MDM server, then the changes since' },
    DELTA: { description: 'The changes since the previous sync' },
  },
});

export enum SyncRunTrigger {
  MANUAL = 'MANUAL',
  SCHEDULED = 'SCHEDULED',
  TOKEN_UPLOAD = 'TOKEN_UPLOAD',
}
registerEnumType(SyncRunTrigger, {
  name: 'SyncRunTrigger',
  valuesConfig: {
    MANUAL: { description: 'syncDepToken' },
    SCHEDULED: { description: 'The automatic sync (AUTO_SYNC_INTERVAL_S), or one depgate queued to recover (see fullSyncReason)' },
    TOKEN_UPLOAD: { description: 'The first sync after the token was uploaded (not counted against the manual limit)' },
  },
});

export enum SyncRunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  TIMED_OUT = 'TIMED_OUT',
}
registerEnumType(SyncRunStatus, {
  name: 'SyncRunStatus',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker (also after an instance stopped: it resumes from its last page)' },
    RUNNING: { description: 'Pulling pages from Apple' },
    SUCCEEDED: { description: 'Done: depgate holds what Apple holds' },
    FAILED: { description: 'Stopped by an error (see error); the pages committed are kept' },
    TIMED_OUT: { description: 'Stopped after SYNC_TIMEOUT_S; the pages committed are kept' },
  },
});

export enum FullSyncReason {
  REQUESTED = 'REQUESTED',
  TOKEN_UPLOADED = 'TOKEN_UPLOADED',
  NO_CURSOR = 'NO_CURSOR',
  CURSOR_INVALID = 'CURSOR_INVALID',
  CURSOR_EXPIRED = 'CURSOR_EXPIRED',
  AFTER_FAILED_DELTA = 'AFTER_FAILED_DELTA',
  RESUMING_FETCH = 'RESUMING_FETCH',
}
registerEnumType(FullSyncReason, {
  name: 'FullSyncReason',
  valuesConfig: {
    REQUESTED: { description: 'Asked for with full: true' },
    TOKEN_UPLOADED: { description: 'The first sync of a token' },
    NO_CURSOR: { description: 'depgate had no cursor to continue from' },
    CURSOR_INVALID: { description: 'Apple refused the saved cursor (INVALID_CURSOR)' },
    CURSOR_EXPIRED: { description: 'The saved cursor was older than Apple accepts (EXPIRED_CURSOR)' },
    AFTER_FAILED_DELTA: { description: 'The previous delta sync failed' },
    RESUMING_FETCH: { description: 'Finishing a full fetch that an earlier run started' },
  },
});

/** A run's stored code; one an older version wrote and this one no longer has reads as SYNC_FAILED. */
const runErrorCode = (stored: string) => storedErrorCode(stored, ErrorCode.SYNC_FAILED);

@ObjectType({ description: 'Why a sync run failed' })
export class SyncRunError {
  @Field(() => ErrorCode, { description: 'E.g. APPLE_UNAVAILABLE, TOKEN_TERMS_NOT_ACCEPTED, SYNC_TIMED_OUT' })
  code: ErrorCode;

  @Field()
  message: string;
}

@ObjectType({ implements: Node, description: 'One pass that pulls a token’s devices (or their changes) from Apple' })
export class SyncRun extends Node {
  @Field(() => SyncRunKind)
  kind: SyncRunKind;

  @Field(() => FullSyncReason, { nullable: true, description: 'Why this run is a full sync; null for delta syncs' })
  fullSyncReason: FullSyncReason | null;

  @Field(() => SyncRunTrigger)
  trigger: SyncRunTrigger;

  @Field(() => SyncRunStatus)
  status: SyncRunStatus;

  @Field()
  queuedAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => Int, { description: 'Pages received from Apple (fetch and sync)' })
  pagesFetched: number;

  @Field(() => Int, { description: 'Devices new to the token (or back after a deletion)' })
  devicesAdded: number;

  @Field(() => Int, { description: 'Known devices whose Apple fields changed' })
  devicesModified: number;

  @Field(() => Int, { description: 'Devices no longer assigned to the MDM server' })
  devicesDeleted: number;

  @Field(() => Int, {
    description:
      "Records Apple sent that could not be stored and were skipped: no valid serial number (see the README, 'Apple's odd records'). The run goes on without them",
  })
  devicesSkipped: number;

  @Field(() => Int, {
    description:
      "Devices without a profile left alone because the token has no default profile for their platform (DepToken.defaultProfiles), or Apple's record names no platform",
  })
  devicesWithoutDefaultProfile: number;

  @Field(() => Int, { description: 'Profiles assigned to synced devices (requested or the token default)' })
  assignmentsMade: number;

  @Field(() => Int)
  assignmentsFailed: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'An estimate for a progress bar: for a full sync, the devices the token had synced before the run; null when unknown ' +
      '(a delta sync, or a token that never synced successfully)',
  })
  expectedDevices: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'How far the run is, 0..1, never above 1: devices its full fetch has listed over expectedDevices (at most 0.99 until it ' +
      'ends), 1 once it succeeded; null when there is nothing to measure against (expectedDevices null or 0 and not succeeded)',
  })
  progress: number | null;

  @Field(() => SyncRunError, { nullable: true })
  error: SyncRunError | null;

  /** Devices the full fetch listed so far; not exposed (progress is). */
  devicesFetched: number;

  /** Database ids, for field resolvers; not exposed. */
  rowId: string;
  tokenRowId: string;

  static from(entity: SyncRunEntity): SyncRun {
    return Object.assign(new SyncRun(), {
      id: toGlobalId('SyncRun', entity.id),
      rowId: entity.id,
      tokenRowId: entity.tokenId,
      kind: entity.kind as SyncRunKind,
      fullSyncReason: (entity.fullSyncReason as FullSyncReason | null) ?? null,
      trigger: entity.trigger as SyncRunTrigger,
      status: entity.status as SyncRunStatus,
      queuedAt: entity.queuedAt,
      startedAt: entity.startedAt,
      finishedAt: entity.finishedAt,
      pagesFetched: entity.pagesFetched,
      devicesAdded: entity.devicesAdded,
      devicesModified: entity.devicesModified,
      devicesDeleted: entity.devicesDeleted,
      devicesSkipped: entity.devicesSkipped,
      devicesWithoutDefaultProfile: entity.devicesWithoutDefaultProfile,
      assignmentsMade: entity.assignmentsMade,
      assignmentsFailed: entity.assignmentsFailed,
      expectedDevices: entity.expectedDevices,
      devicesFetched: entity.devicesFetched,
      progress: runProgress(entity.status, entity.devicesFetched, entity.expectedDevices),
      error: entity.errorCode ? Object.assign(new SyncRunError(), { code: runErrorCode(entity.errorCode), message: entity.errorMessage ?? entity.errorCode }) : null,
    });
  }

  /**
   * The run as an event described it: the stored run (read with the subscriber's visibility)
   * with the status, counters and times the event carries, so each event shows its own step even
   * when the run has moved on since it was sent.
   */
  static fromEvent(entity: SyncRunEntity, event: SyncRunChangedEvent): SyncRun {
    const run = SyncRun.from(entity);
    run.status = event.status as SyncRunStatus;
    if (event.kind) run.kind = event.kind as SyncRunKind;
    if (run.kind === SyncRunKind.DELTA) run.fullSyncReason = null;
    run.pagesFetched = event.pagesFetched;
    run.devicesAdded = event.devicesAdded;
    run.devicesModified = event.devicesModified;
    run.devicesDeleted = event.devicesDeleted;
    run.devicesSkipped = event.devicesSkipped ?? run.devicesSkipped;
    run.assignmentsMade = event.assignmentsMade ?? run.assignmentsMade;
    run.assignmentsFailed = event.assignmentsFailed ?? run.assignmentsFailed;
    if (event.devicesFetched !== undefined) run.devicesFetched = event.devicesFetched;
    if (event.expectedDevices !== undefined) run.expectedDevices = event.expectedDevices;
    run.progress = runProgress(run.status, run.devicesFetched, run.expectedDevices);
    run.startedAt = event.startedAt ? new Date(event.startedAt) : null;
    run.finishedAt = event.finishedAt ? new Date(event.finishedAt) : null;
    if (!event.errorCode) run.error = null;
    else if (run.error?.code !== event.errorCode) run.error = Object.assign(new SyncRunError(), { code: runErrorCode(event.errorCode), message: event.errorCode });
    return run;
  }
}

export const SyncRunConnection = ConnectionType(SyncRun, 'SyncRun');

registerEnumType(SyncRunOrderField, {
  name: 'SyncRunOrderField',
  valuesConfig: { QUEUED_AT: { description: 'When the run was queued' } },
});

export const SyncRunOrder = OrderByInput<SyncRunOrderField>(SyncRunOrderField, 'SyncRun', 'How sync runs are listed. Default: QUEUED_AT DESC (newest first)');
export type SyncRunOrder = InstanceType<typeof SyncRunOrder>;

@InputType()
export class SyncDepTokenInput {
  @Field(() => ID)
  tokenId: string;

  @Field({
    defaultValue: false,
    description: 'A full sync (the complete device list): at most once every FULL_SYNC_MIN_INTERVAL_S, unless depgate needs one anyway',
  })
  full: boolean;
}

@ObjectType()
export class SyncDepTokenPayload {
  @Field(() => SyncRun)
  syncRun: SyncRun;
}
