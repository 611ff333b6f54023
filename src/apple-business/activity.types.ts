import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import { MdmProductFamily, MdmServer } from './inventory.types';
import type { OrgDeviceActivityEntity } from './org-device-activity.entity';

export enum OrgDeviceActivityType {
  ASSIGN_DEVICES = 'ASSIGN_DEVICES',
  UNASSIGN_DEVICES = 'UNASSIGN_DEVICES',
  ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE = 'ASSIGN_DEVICES_WITH_MDM_MIGRATION_DEADLINE',
  UPDATE_MDM_MIGRATION_DEADLINE = 'UPDATE_MDM_MIGRATION_DEADLINE',
  CANCEL_MDM_MIGRATION = 'CANCEL_MDM_MIGRATION',
  RELEASE_DEVICES = 'RELEASE_DEVICES',
}
registerEnumType(OrgDeviceActivityType, { name: 'OrgDeviceActivityType', description: "Apple's activityType" });

@ObjectType({ description: "One device's outcome, from Apple's activity log" })
export class OrgDeviceActivityOutcome {
  @Field()
  serialNumber: string;
  @Field({ description: "Apple's operation_status (e.g. SUCCESS, FAILED)" })
  status: string;
  @Field({ description: "Apple's operation_substatus" })
  subStatus: string;
}

@ObjectType({ implements: Node, description: 'A device activity created at Apple (assign, unassign, migration deadline, release), polled until Apple completes it' })
export class OrgDeviceActivity extends Node {
  @Field(() => OrgDeviceActivityType)
  type: OrgDeviceActivityType;
  @Field({ description: "Apple's activity id" })
  appleId: string;
  @Field({ description: 'IN_PROGRESS, COMPLETED, STOPPED or FAILED' })
  status: string;
  @Field(() => String, { nullable: true, description: 'SUBMITTED, PROCESSING, ..., COMPLETED_WITH_SUCCESS, COMPLETED_WITH_ERROR, COMPLETED_WITH_FAILURE' })
  subStatus: string | null;
  @Field(() => [String])
  serialNumbers: string[];
  @Field(() => Int)
  deviceCount: number;
  @Field(() => Date, { nullable: true })
  migrationDeadline: Date | null;
  @Field(() => [OrgDeviceActivityOutcome], { nullable: true, description: "Per serial, from Apple's log; null until the activity completes" })
  outcomes: OrgDeviceActivityOutcome[] | null;
  @Field(() => String, { nullable: true, description: 'Why the last poll or the log read failed' })
  error: string | null;
  @Field()
  createdAt: Date;
  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  rowId: string;
  accountId: string;
  mdmServerAppleId: string | null;

  static from(e: OrgDeviceActivityEntity): OrgDeviceActivity {
    return Object.assign(new OrgDeviceActivity(), {
      id: toGlobalId('OrgDeviceActivity', e.id),
      rowId: e.id,
      accountId: e.accountId,
      mdmServerAppleId: e.mdmServerId,
      type: e.activityType as OrgDeviceActivityType,
      appleId: e.appleActivityId,
      status: e.status,
      subStatus: e.subStatus,
      serialNumbers: e.serialNumbers,
      deviceCount: e.serialNumbers.length,
      migrationDeadline: e.migrationDeadline,
      outcomes: e.outcomes ? e.outcomes.map((o) => Object.assign(new OrgDeviceActivityOutcome(), o)) : null,
      error: e.error,
      createdAt: e.createdAt,
      completedAt: e.completedAt,
    });
  }
}

export const OrgDeviceActivityConnection = ConnectionType(OrgDeviceActivity, 'OrgDeviceActivity');

@InputType()
export class CreateMdmServerAtAppleInput {
  @Field(() => ID)
  accountId: string;
  @Field({ description: '1 to 100 characters; unique in the organisation' })
  name: string;
  @Field(() => ID, { description: 'A DepTokenKeyPair (createDepTokenKeyPair): its certificate is uploaded to the new server' })
  keyPairId: string;
}

@ObjectType()
export class MdmServerPayload {
  @Field(() => MdmServer)
  mdmServer: MdmServer;
  @Field({ description: 'What the admin does next' })
  nextStep: string;
}

@InputType()
export class SetDefaultMdmServerInput {
  @Field(() => ID)
  mdmServerId: string;
  @Field(() => [MdmProductFamily], { description: 'New devices of these families go to this server; at most as many as there are families' })
  productFamilies: MdmProductFamily[];
}

@ObjectType()
export class SetDefaultMdmServerPayload {
  @Field(() => MdmServer)
  mdmServer: MdmServer;
}

/** The devices of an activity; each input below inherits these fields. */
@InputType('OrgDeviceSelectionInput', { description: 'Exactly one of serialNumbers, orderNumbers, csv' })
export class DeviceSelectionInput {
  @Field(() => [String], { nullable: true, description: 'At most 10,000; exactly one of serialNumbers, orderNumbers, csv' })
  serialNumbers?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Every device of these orders in the inventory mirror; at most 100 orders' })
  orderNumbers?: string[] | null;
  @Field(() => String, { nullable: true, description: 'A CSV with a serial number column (as the portal exports), at most 10,000 rows' })
  csv?: string | null;
}

@InputType()
export class AssignDevicesToMdmServerInput extends DeviceSelectionInput {
  @Field(() => ID)
  mdmServerId: string;
  @Field(() => Date, { nullable: true, description: 'An MDM migration deadline (at most 90 days ahead): devices enrolled elsewhere must migrate by then' })
  migrationDeadline?: Date | null;
}

@InputType()
export class UnassignDevicesFromMdmServerInput extends DeviceSelectionInput {
  @Field(() => ID)
  mdmServerId: string;
}

@InputType()
export class UpdateMigrationDeadlineInput extends DeviceSelectionInput {
  @Field(() => ID)
  accountId: string;
  @Field({ description: 'At most 90 days ahead; an earlier or past deadline applies at once' })
  migrationDeadline: Date;
}

@InputType()
export class CancelMigrationInput extends DeviceSelectionInput {
  @Field(() => ID)
  accountId: string;
}

@InputType()
export class ReleaseDevicesInput extends DeviceSelectionInput {
  @Field(() => ID)
  accountId: string;
  @Field({ description: 'Must be true: releasing removes the devices from the organisation for good' })
  confirm: boolean;
}

@ObjectType()
export class OrgDeviceActivityPayload {
  @Field(() => OrgDeviceActivity)
  orgDeviceActivity: OrgDeviceActivity;
}
