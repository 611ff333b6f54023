import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { DeviceFilterCommand } from './device.service';

export type DeviceDeletionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A deleteDevices call: the job's progress, and what it deletes with whose visibility. */
@Entity({ name: 'device_deletions' })
export class DeviceDeletionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  status: DeviceDeletionStatus;

  @Column({ name: 'api_key_id', type: 'uuid' })
  apiKeyId: string;

  @Column({ name: 'api_key_name', type: 'text' })
  apiKeyName: string;

  /** The requesting key's tags: the job sees what the key saw. */
  @Column({ name: 'scope_tag_ids', type: 'uuid', array: true })
  scopeTagIds: string[];

  @Column({ type: 'jsonb', nullable: true })
  filter: DeviceFilterCommand | null;

  @Column({ name: 'device_ids', type: 'uuid', array: true, nullable: true })
  deviceIds: string[] | null;

  /** Devices matching when it was asked for (set to what was deleted once it ends). */
  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  deleted: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz', precision: 3 })
  requestedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;
}
