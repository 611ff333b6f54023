import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type DeviceProfileStatus = 'EMPTY' | 'ASSIGNED' | 'PUSHED' | 'REMOVED';
export type DeviceSource = 'SYNC' | 'IMPORT';
export type AssignmentResult = 'SUCCESS' | 'NOT_ACCESSIBLE' | 'FAILED' | 'THROTTLED';
/** APPLE: the device left this MDM server in ABM. DEPGATE: an admin deleted it here (tombstone). */
export type DeviceDeletedBy = 'APPLE' | 'DEPGATE';

/**
 * A device assigned to a token's MDM server in ABM (source SYNC), or a serial imported ahead of its
 * first sync (source IMPORT). A serial lives under one token at a time (unique serial_number):
 * sync pages, assignments and imports upsert on it and move the row between tokens.
 */
@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'token_id', type: 'uuid' })
  tokenId: string;

  @Column({ name: 'serial_number', type: 'text' })
  serialNumber: string;

  @Column({ type: 'text', nullable: true })
  model: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', nullable: true })
  color: string | null;

  @Column({ name: 'asset_tag', type: 'text', nullable: true })
  assetTag: string | null;

  @Column({ type: 'text', nullable: true })
  os: string | null;

  @Column({ name: 'device_family', type: 'text', nullable: true })
  deviceFamily: string | null;

  @Column({ name: 'profile_status', type: 'text', default: 'EMPTY' })
  profileStatus: DeviceProfileStatus;

  /** The profile UUID Apple reports for the device. */
  @Column({ name: 'apple_profile_uuid', type: 'text', nullable: true })
  appleProfileUuid: string | null;

  /** The depgate profile behind appleProfileUuid, when it is one of ours. */
  @Column({ name: 'profile_id', type: 'uuid', nullable: true })
  profileId: string | null;

  /** Asked for (import or a deferred assignment) and not confirmed by Apple yet. */
  @Column({ name: 'requested_profile_id', type: 'uuid', nullable: true })
  requestedProfileId: string | null;

  @Column({ name: 'profile_assigned_at', type: 'timestamptz', precision: 3, nullable: true })
  profileAssignedAt: Date | null;

  @Column({ name: 'profile_pushed_at', type: 'timestamptz', precision: 3, nullable: true })
  profilePushedAt: Date | null;

  @Column({ name: 'device_assigned_at', type: 'timestamptz', precision: 3, nullable: true })
  deviceAssignedAt: Date | null;

  @Column({ name: 'device_assigned_by', type: 'text', nullable: true })
  deviceAssignedBy: string | null;

  /** Apple's mdm_migration_deadline (protocol 8+): enroll here by then, the device migrates without a wipe. */
  @Column({ name: 'mdm_migration_deadline', type: 'timestamptz', precision: 3, nullable: true })
  mdmMigrationDeadline: Date | null;

  @Column({ type: 'text' })
  source: DeviceSource;

  @Column({ name: 'last_op_type', type: 'text', nullable: true })
  lastOpType: string | null;

  @Column({ name: 'last_op_date', type: 'timestamptz', precision: 3, nullable: true })
  lastOpDate: Date | null;

  @Column({ name: 'last_synced_at', type: 'timestamptz', precision: 3, nullable: true })
  lastSyncedAt: Date | null;

  @Column({ name: 'last_assignment_result', type: 'text', nullable: true })
  lastAssignmentResult: AssignmentResult | null;

  @Column({ name: 'last_assignment_at', type: 'timestamptz', precision: 3, nullable: true })
  lastAssignmentAt: Date | null;

  @Column({ name: 'assignment_failure_count', type: 'integer', default: 0 })
  assignmentFailureCount: number;

  /** After FAILED/THROTTLED: automatic assignment skips the device until then. */
  @Column({ name: 'next_assignment_retry_at', type: 'timestamptz', precision: 3, nullable: true })
  nextAssignmentRetryAt: Date | null;

  /** removeEnrollmentProfile cleared the profile at Apple: the default rule leaves the device alone. */
  @Column({ name: 'profile_removed_at', type: 'timestamptz', precision: 3, nullable: true })
  profileRemovedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', precision: 3, nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'text', nullable: true })
  deletedBy: DeviceDeletedBy | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
