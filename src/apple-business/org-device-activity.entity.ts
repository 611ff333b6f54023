import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActivityType } from '../apple/business-api';

export interface ActivityOutcome {
  serialNumber: string;
  status: string;
  subStatus: string;
}

/** A device activity depgate created at Apple, polled until Apple completes it. */
@Entity({ name: 'org_device_activities' })
export class OrgDeviceActivityEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'apple_activity_id', type: 'text' })
  appleActivityId: string;

  @Column({ name: 'activity_type', type: 'text' })
  activityType: ActivityType;

  @Column({ name: 'mdm_server_id', type: 'text', nullable: true })
  mdmServerId: string | null;

  /** Apple's status (IN_PROGRESS, COMPLETED, STOPPED, FAILED). */
  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'sub_status', type: 'text', nullable: true })
  subStatus: string | null;

  @Column({ name: 'serial_numbers', type: 'text', array: true })
  serialNumbers: string[];

  @Column({ name: 'migration_deadline', type: 'timestamptz', precision: 3, nullable: true })
  migrationDeadline: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  outcomes: ActivityOutcome[] | null;

  @Column({ name: 'poll_count', type: 'integer', default: 0 })
  pollCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', precision: 3, nullable: true })
  completedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
