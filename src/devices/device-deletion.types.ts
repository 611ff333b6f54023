import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { DeviceDeletionEntity } from './device-deletion.entity';
import { MAX_DEVICE_IDS_PER_DELETION } from './device-deletion.service';
import { DeviceFilter } from './device.types';

export enum DeviceDeletionStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(DeviceDeletionStatus, {
  name: 'DeviceDeletionStatus',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker' },
    RUNNING: { description: 'Deleting, 1,000 devices at a time' },
    SUCCEEDED: { description: 'Every matching device is deleted' },
    FAILED: { description: 'Stopped on an error: what was deleted stays deleted; ask again to finish' },
  },
});

@ObjectType({ implements: Node, description: 'A deleteDevices job and its progress (poll it with deviceDeletion(id) or node(id))' })
export class DeviceDeletion extends Node {
  @Field(() => DeviceDeletionStatus)
  status: DeviceDeletionStatus;

  @Field(() => Int, { description: 'Devices that matched when it was asked for (what was deleted, once it ends)' })
  total: number;

  @Field(() => Int)
  deleted: number;

  @Field(() => Float, { description: 'deleted / total, from 0 to 1 (1 when nothing matched)' })
  progress: number;

  @Field(() => String, { nullable: true })
  error: string | null;

  @Field(() => String, { description: 'The API key that asked, by its name then' })
  requestedBy: string;

  @Field()
  requestedAt: Date;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  static from(entity: DeviceDeletionEntity): DeviceDeletion {
    return Object.assign(new DeviceDeletion(), {
      id: toGlobalId('DeviceDeletion', entity.id),
      status: entity.status as DeviceDeletionStatus,
      total: entity.total,
      deleted: entity.deleted,
      progress: entity.total === 0 ? 1 : Math.min(1, entity.deleted / entity.total),
      error: entity.error,
      requestedBy: entity.apiKeyName,
      requestedAt: entity.requestedAt,
      startedAt: entity.startedAt,
      finishedAt: entity.finishedAt,
    });
  }
}

@InputType({ description: 'deviceIds or filter, not both' })
export class DeleteDevicesInput {
  @Field(() => [ID], { nullable: true, description: `Devices by id; at most ${MAX_DEVICE_IDS_PER_DELETION.toLocaleString('en-US')}` })
  deviceIds?: string[] | null;

  @Field(() => DeviceFilter, { nullable: true, description: 'Every device this key sees that matches (at least one condition; deleted devices are never matched again)' })
  filter?: DeviceFilter | null;
}

@ObjectType()
export class DeleteDevicesPayload {
  @Field(() => ID, { description: "The deletion's id: poll deviceDeletion(id: jobId) or node(id: jobId)" })
  jobId: string;

  @Field(() => DeviceDeletion)
  deviceDeletion: DeviceDeletion;
}
