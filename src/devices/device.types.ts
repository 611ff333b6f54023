import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { OrderByInput } from '../graphql/order';
import type { DeviceEntity } from './device.entity';
import type { DeviceRelations } from './device-prefetch';
import { DeviceOrderField } from './device.order';
import { APPLE_DEVICE_FAMILY, APPLE_OS, DeviceFamily, deviceFamilyOf, DeviceOs, deviceOsOf } from './device-platform';
import { MAX_IMPORT_ROWS, MAX_REJECTED_SHOWN, SerialRejectionReason } from './serial-import';

export enum DeviceProfileStatus {
  EMPTY = 'EMPTY',
  ASSIGNED = 'ASSIGNED',
  PUSHED = 'PUSHED',
  REMOVED = 'REMOVED',
}
registerEnumType(DeviceProfileStatus, {
  name: 'DeviceProfileStatus',
  description: "Apple's profile status of a device",
  valuesConfig: {
    EMPTY: { description: 'No enrollment profile: the device cannot enroll yet' },
    ASSIGNED: { description: 'A profile is assigned; the device gets it the next time it goes through Setup Assistant' },
    PUSHED: { description: 'The device downloaded its profile (it enrolled); a new profile only applies after a wipe' },
    REMOVED: { description: 'The profile was removed from the device at Apple' },
  },
});

export enum DeviceSource {
  SYNC = 'SYNC',
  IMPORT = 'IMPORT',
}
registerEnumType(DeviceSource, {
  name: 'DeviceSource',
  valuesConfig: {
    SYNC: { description: 'Seen in a sync with Apple' },
    IMPORT: { description: 'Imported (or assigned) by serial number and not seen by a sync yet' },
  },
});

export enum AssignmentStatus {
  SUCCESS = 'SUCCESS',
  NOT_ACCESSIBLE = 'NOT_ACCESSIBLE',
  FAILED = 'FAILED',
  THROTTLED = 'THROTTLED',
  REJECTED = 'REJECTED',
}
registerEnumType(AssignmentStatus, {
  name: 'AssignmentStatus',
  description: "Apple's answer to assigning a profile to one serial number",
  valuesConfig: {
    SUCCESS: { description: 'Apple assigned the profile' },
    NOT_ACCESSIBLE: {
      description: "The serial is not on the token's MDM server in Apple Business Manager (or not yet); assigned when a sync sees it",
    },
    FAILED: { description: 'Apple could not assign the profile; automatic assignment retries after 24 hours' },
    THROTTLED: { description: "Apple throttled the request; automatic assignment retries after Apple's retry-after time" },
    REJECTED: { description: 'Not sent to Apple: malformed serial or a device deleted from depgate. Never stored on a device' },
  },
});

const appleValue = (text: string | undefined) => (text ? `Apple's \`${text}\`` : 'A value this version of depgate has no name for yet (Apple added it later)');

registerEnumType(DeviceOs, {
  name: 'DeviceOs',
  description: "The device's operating system, as Apple reports it",
  valuesConfig: Object.fromEntries(Object.values(DeviceOs).map((v) => [v, { description: appleValue((APPLE_OS as Record<string, string>)[v]) }])),
});

registerEnumType(DeviceFamily, {
  name: 'DeviceFamily',
  description: "The device's family, as Apple reports it",
  valuesConfig: Object.fromEntries(
    Object.values(DeviceFamily).map((v) => [v, { description: appleValue((APPLE_DEVICE_FAMILY as Record<string, string>)[v]) }]),
  ),
});

export enum DeviceDeletedBy {
  APPLE = 'APPLE',
  DEPGATE = 'DEPGATE',
}
registerEnumType(DeviceDeletedBy, {
  name: 'DeviceDeletedBy',
  valuesConfig: {
    APPLE: { description: 'The device left the MDM server in Apple Business Manager' },
    DEPGATE: { description: 'An admin deleted it here; a sync does not bring it back until the next full sync' },
  },
});

@ObjectType({ implements: Node, description: 'A company-owned device assigned to a DEP token, or a serial imported ahead of its first sync' })
export class Device extends Node {
  @Field()
  serialNumber: string;

  @Field(() => String, { nullable: true })
  model: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true })
  color: string | null;

  @Field(() => String, { nullable: true })
  assetTag: string | null;

  @Field(() => DeviceOs, { nullable: true, description: 'Null when Apple sent none' })
  os: DeviceOs | null;

  @Field(() => DeviceFamily, { nullable: true, description: 'Null when Apple sent none' })
  deviceFamily: DeviceFamily | null;

  @Field(() => DeviceProfileStatus)
  profileStatus: DeviceProfileStatus;

  @Field(() => String, { nullable: true, description: 'The profile UUID Apple reports for the device (may be another MDM’s)' })
  appleProfileUuid: string | null;

  @Field(() => Date, { nullable: true })
  profileAssignedAt: Date | null;

  @Field(() => Date, { nullable: true })
  profilePushedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the device was assigned to the MDM server in ABM' })
  deviceAssignedAt: Date | null;

  @Field(() => String, { nullable: true })
  deviceAssignedBy: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "Apple's mdm_migration_deadline: the device is being migrated to this server without a wipe and must enroll by then (the default rule gives it a profile that awaits configuration; alert DEVICE_MIGRATION_DEADLINE)",
  })
  mdmMigrationDeadline: Date | null;

  @Field(() => DeviceSource)
  source: DeviceSource;

  @Field(() => AssignmentStatus, { nullable: true, description: 'The last answer Apple gave to assigning a profile to this device' })
  lastAssignmentResult: AssignmentStatus | null;

  @Field(() => Date, { nullable: true })
  lastAssignmentAt: Date | null;

  @Field(() => Int, { description: 'Failed assignment attempts since the last success' })
  assignmentFailureCount: number;

  @Field(() => Date, { nullable: true, description: 'After FAILED or THROTTLED, automatic assignment waits until then' })
  nextAssignmentRetryAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When removeEnrollmentProfile cleared the profile at Apple (cleared again by an assignment): the default profile is not given back automatically' })
  profileRemovedAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastSyncedAt: Date | null;

  @Field(() => Date, { nullable: true })
  deletedAt: Date | null;

  @Field(() => DeviceDeletedBy, { nullable: true })
  deletedBy: DeviceDeletedBy | null;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;

  /** Database ids, for field resolvers; not exposed. */
  rowId: string;
  tokenRowId: string;
  profileRowId: string | null;
  requestedProfileRowId: string | null;
  /** The page's token and profiles when its list prefetched them (device-prefetch.ts); not exposed. */
  relations?: DeviceRelations;

  /**
   * Made on Device's prototype without its constructor: the constructor defines each of the class's
   * ~35 fields as undefined before they are set, and a page makes up to 500 devices (issue #15).
   * Every field is set here (`relations` stays unset until a prefetch attaches it), so the object
   * reads as `new Device()` plus the assignments did.
   */
  static from(entity: DeviceEntity): Device {
    const device = Object.create(Device.prototype) as Device;
    device.id = toGlobalId('Device', entity.id);
    device.rowId = entity.id;
    device.tokenRowId = entity.tokenId;
    device.profileRowId = entity.profileId;
    device.requestedProfileRowId = entity.requestedProfileId;
    device.serialNumber = entity.serialNumber;
    device.model = entity.model;
    device.description = entity.description;
    device.color = entity.color;
    device.assetTag = entity.assetTag;
    device.os = deviceOsOf(entity.os);
    device.deviceFamily = deviceFamilyOf(entity.deviceFamily);
    device.profileStatus = entity.profileStatus as DeviceProfileStatus;
    device.appleProfileUuid = entity.appleProfileUuid;
    device.profileAssignedAt = entity.profileAssignedAt;
    device.profilePushedAt = entity.profilePushedAt;
    device.deviceAssignedAt = entity.deviceAssignedAt;
    device.deviceAssignedBy = entity.deviceAssignedBy;
    device.mdmMigrationDeadline = entity.mdmMigrationDeadline ?? null;
    device.source = entity.source as DeviceSource;
    device.lastAssignmentResult = entity.lastAssignmentResult as AssignmentStatus | null;
    device.lastAssignmentAt = entity.lastAssignmentAt;
    device.assignmentFailureCount = entity.assignmentFailureCount;
    device.nextAssignmentRetryAt = entity.nextAssignmentRetryAt;
    device.profileRemovedAt = entity.profileRemovedAt;
    device.lastSyncedAt = entity.lastSyncedAt;
    device.deletedAt = entity.deletedAt;
    device.deletedBy = entity.deletedBy as DeviceDeletedBy | null;
    device.createdAt = entity.createdAt;
    device.updatedAt = entity.updatedAt;
    return device;
  }
}

export const DeviceConnection = ConnectionType(Device, 'Device');

registerEnumType(DeviceOrderField, {
  name: 'DeviceOrderField',
  valuesConfig: {
    SERIAL_NUMBER: { description: 'Serial number, in byte order (digits before letters)' },
    MODEL: { description: 'Model name, alphabetically' },
    PROFILE_STATUS: { description: 'Profile status, by name' },
    LAST_SYNCED_AT: { description: 'When a sync last saw the device' },
    DEVICE_ASSIGNED_AT: { description: 'When the device was assigned to the MDM server in ABM' },
  },
});

export const DeviceOrder = OrderByInput<DeviceOrderField>(
  DeviceOrderField,
  'Device',
  'How devices are listed. Devices without the value (no model, never synced) come first ascending and last descending; ties are ordered by id. Default: SERIAL_NUMBER ASC',
);
export type DeviceOrder = InstanceType<typeof DeviceOrder>;

/** The orderBy argument of every device list. */
export const DEVICE_ORDER_ARG = { nullable: true, description: 'Default: SERIAL_NUMBER ASC' } as const;

@InputType({ description: 'Every condition given must hold. Deleted devices are left out unless includeDeleted' })
export class DeviceFilter {
  @Field(() => ID, { nullable: true })
  tokenId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Devices holding this profile' })
  profileId?: string | null;

  @Field(() => DeviceProfileStatus, { nullable: true })
  profileStatus?: DeviceProfileStatus | null;

  @Field(() => DeviceSource, { nullable: true })
  source?: DeviceSource | null;

  @Field(() => AssignmentStatus, { nullable: true, description: 'The last assignment result' })
  assignmentResult?: AssignmentStatus | null;

  @Field(() => String, { nullable: true, description: 'Serial numbers starting with this (case-insensitive)' })
  serialNumberPrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Text contained in the serial number, model or description (case-insensitive); 3 to 100 characters' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Also list devices deleted here or removed from the MDM server in ABM' })
  includeDeleted?: boolean | null;
}

// ------------------------------------------------------------------------------------ assignment

@InputType()
export class AssignEnrollmentProfileInput {
  @Field(() => ID)
  profileId: string;

  @Field(() => [String], { description: 'At most 10,000 entries (duplicates count), also serials of devices not synced yet; sent to Apple 1,000 at a time' })
  serialNumbers: string[];
}

@ObjectType({ description: "Apple's answer for one serial number" })
export class SerialAssignmentResult {
  @Field()
  serialNumber: string;

  @Field(() => AssignmentStatus)
  status: AssignmentStatus;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => Int, { nullable: true, description: 'THROTTLED: seconds Apple asked to wait' })
  retryAfterSeconds: number | null;
}

@ObjectType()
export class AssignEnrollmentProfilePayload {
  @Field(() => [SerialAssignmentResult], { description: 'One per distinct serial number, in the order given' })
  results: SerialAssignmentResult[];
}

// ------------------------------------------------------------------------------------ unassign

@InputType()
export class RemoveEnrollmentProfileInput {
  @Field(() => [String], {
    description: 'Serial numbers of devices this key sees; at most 10,000 entries (duplicates count), sent to Apple 1,000 at a time per token',
  })
  serialNumbers: string[];
}

@ObjectType()
export class RemoveEnrollmentProfilePayload {
  @Field(() => [SerialAssignmentResult], {
    description: "One per distinct serial number, in the order given: Apple's answer (SUCCESS, NOT_ACCESSIBLE, FAILED), or REJECTED when not sent (malformed, or no such device visible)",
  })
  results: SerialAssignmentResult[];
}

// ------------------------------------------------------------------------------------ details on demand

export enum DeviceDetailsStatus {
  SUCCESS = 'SUCCESS',
  NOT_ACCESSIBLE = 'NOT_ACCESSIBLE',
  FAILED = 'FAILED',
  REJECTED = 'REJECTED',
}
registerEnumType(DeviceDetailsStatus, {
  name: 'DeviceDetailsStatus',
  description: "Apple's answer to reading one device's details",
  valuesConfig: {
    SUCCESS: { description: "Apple's record was read and stored on the device" },
    NOT_ACCESSIBLE: { description: "The serial is not on the token's MDM server in Apple Business Manager" },
    FAILED: { description: 'Apple could not read it (or the request failed); nothing changed' },
    REJECTED: { description: 'Not sent to Apple: malformed, or no such device visible to this key' },
  },
});

@InputType()
export class RefreshDeviceDetailsInput {
  @Field(() => [String], { description: 'Serial numbers of devices this key sees; at most 10,000 entries (duplicates count), sent to Apple 1,000 at a time per token' })
  serialNumbers: string[];
}

@ObjectType({ description: "Apple's answer for one serial number" })
export class DeviceDetailsResult {
  @Field()
  serialNumber: string;

  @Field(() => DeviceDetailsStatus)
  status: DeviceDetailsStatus;

  @Field(() => String, { nullable: true })
  message: string | null;

  @Field(() => Device, { nullable: true, description: 'The stored device, as refreshed (null when REJECTED)' })
  device: Device | null;
}

@ObjectType()
export class RefreshDeviceDetailsPayload {
  @Field(() => [DeviceDetailsResult], { description: 'One per distinct serial number, in the order given' })
  results: DeviceDetailsResult[];
}

// ------------------------------------------------------------------------------------ import

@InputType()
export class ImportDeviceSerialsInput {
  @Field(() => ID)
  tokenId: string;

  @Field(() => [String], { nullable: true, description: `Serial numbers; give these or csv. At most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} entries` })
  serialNumbers?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'CSV text: the serial number in the first column, or in the column headed "Serial Number" (or "serial", "serial_number", "serialnumber"); comma, semicolon or tab separated; other columns are ignored. ' +
      `At most ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows besides the header (blank lines do not count)`,
  })
  csv?: string | null;

  @Field(() => ID, { nullable: true, description: 'Assigned to each device when a sync sees it' })
  profileId?: string | null;
}

registerEnumType(SerialRejectionReason, {
  name: 'SerialRejectionReason',
  valuesConfig: {
    EMPTY: { description: 'No serial number in the row' },
    INVALID_LENGTH: { description: 'Apple serial numbers are 10 to 12 characters' },
    INVALID_CHARACTERS: { description: 'Apple serial numbers have only letters A-Z and digits' },
    DUPLICATE: { description: 'The serial number appeared earlier in the same import (the first one counts)' },
    MALFORMED_ROW: { description: 'The CSV row could not be read (an unclosed quote)' },
    ALREADY_SYNCED: { description: 'A sync already brought this device: use assignEnrollmentProfile' },
    DELETED_IN_DEPGATE: { description: 'The device was deleted here; it comes back with the next full sync' },
  },
});

@ObjectType()
export class RejectedSerial {
  @Field(() => Int, { description: 'The CSV line, or the position in serialNumbers (from 1)' })
  line: number;

  @Field({ description: 'What was given (at most 64 characters)' })
  value: string;

  @Field(() => SerialRejectionReason)
  reason: SerialRejectionReason;

  @Field()
  message: string;
}

@ObjectType()
export class ImportDeviceSerialsPayload {
  @Field(() => [Device], { description: 'Imported (or already imported) devices, source IMPORT' })
  accepted: Device[];

  @Field(() => [RejectedSerial], { description: `The first ${MAX_REJECTED_SHOWN.toLocaleString('en-US')} rejected rows, by line` })
  rejected: RejectedSerial[];

  @Field(() => Int, { description: `How many rows were rejected in all (rejected lists the first ${MAX_REJECTED_SHOWN.toLocaleString('en-US')})` })
  rejectedCount: number;
}

// ------------------------------------------------------------------------------------ delete

@InputType()
export class DeleteDeviceInput {
  @Field(() => ID)
  deviceId: string;
}

@ObjectType()
export class DeleteDevicePayload {
  @Field(() => ID)
  deletedDeviceId: string;
}
