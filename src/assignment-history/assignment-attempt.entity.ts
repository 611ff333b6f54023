import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AssignmentResult } from '../devices/device.entity';

/**
 * Who or what asked for an assignment attempt: an API key (assignEnrollmentProfile), the default
 * profile rule or a requested profile (automatic assignment after a sync page), the retry job, or
 * a profile redefined at Apple moving its devices.
 */
export type AssignmentRequester = 'API_KEY' | 'DEFAULT_PROFILE' | 'REQUESTED_PROFILE' | 'RETRY' | 'PROFILE_UPDATE';

/** One attempt to assign a profile to a device at Apple, and Apple's answer. Never updated. */
@Entity({ name: 'assignment_attempts' })
export class AssignmentAttemptEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Grows with every attempt: the history's order. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId: string;

  @Column({ name: 'serial_number', type: 'text' })
  serialNumber: string;

  @Column({ name: 'profile_id', type: 'uuid', nullable: true })
  profileId: string | null;

  @Column({ name: 'apple_profile_uuid', type: 'text', nullable: true })
  appleProfileUuid: string | null;

  @Column({ type: 'text' })
  result: AssignmentResult;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'retry_after_seconds', type: 'integer', nullable: true })
  retryAfterSeconds: number | null;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: AssignmentRequester;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  /** The key's name when it asked (kept after the key is revoked). */
  @Column({ name: 'api_key_name', type: 'text', nullable: true })
  apiKeyName: string | null;

  @Column({ name: 'attempted_at', type: 'timestamptz', precision: 3 })
  attemptedAt: Date;
}
