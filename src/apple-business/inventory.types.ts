import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionArgs, ConnectionType } from '../graphql/connection';
import { toGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/node';
import type { AppleMdmServerEntity } from './mdm-server.entity';
import type { AppleCareCoverageRecord, OrgDeviceEntity } from './org-device.entity';

export enum OrgDeviceStatus {
  ASSIGNED = 'ASSIGNED',
  UNASSIGNED = 'UNASSIGNED',
}
registerEnumType(OrgDeviceStatus, { name: 'OrgDeviceStatus', description: "Apple's status: whether the device is assigned to an MDM server" });

export enum MdmProductFamily {
  APPLE_TV = 'APPLE_TV',
  IPAD = 'IPAD',
  IPHONE = 'IPHONE',
  IPOD = 'IPOD',
  MAC = 'MAC',
  VISION = 'VISION',
  WATCH = 'WATCH',
}
registerEnumType(MdmProductFamily, { name: 'MdmProductFamily', description: "Apple's product families for a server's defaultProductFamilies" });

@ObjectType({ description: 'One AppleCare (or limited warranty) coverage of a device, as Apple reported it' })
export class AppleCareCoverage {
  @Field({ description: "Apple's id: the serial (limited warranty), the agreement number, or abe-<serial>" })
  id: string;
  @Field(() => String, { nullable: true })
  description: string | null;
  @Field(() => String, { nullable: true, description: 'ACTIVE or INACTIVE' })
  status: string | null;
  @Field(() => String, { nullable: true, description: 'ABE_SUBSCRIPTION, PAID_UP_FRONT, SUBSCRIPTION or NONE' })
  paymentType: string | null;
  @Field(() => Date, { nullable: true })
  startsAt: Date | null;
  @Field(() => Date, { nullable: true })
  endsAt: Date | null;
  @Field(() => Boolean, { nullable: true })
  isRenewable: boolean | null;
  @Field(() => Boolean, { nullable: true })
  isCanceled: boolean | null;
  @Field(() => Date, { nullable: true })
  contractCanceledAt: Date | null;
  @Field(() => String, { nullable: true })
  agreementNumber: string | null;

  static from(r: AppleCareCoverageRecord): AppleCareCoverage {
    const d = (v: string | null) => (v ? new Date(v) : null);
    return Object.assign(new AppleCareCoverage(), {
      id: r.id,
      description: r.description,
      status: r.status,
      paymentType: r.paymentType,
      startsAt: d(r.startDateTime),
      endsAt: d(r.endDateTime),
      isRenewable: r.isRenewable,
      isCanceled: r.isCanceled,
      contractCanceledAt: d(r.contractCancelDateTime),
      agreementNumber: r.agreementNumber,
    });
  }
}

@ObjectType({ implements: Node, description: 'A device of the organisation as the Apple School and Business API lists it (mirrored)' })
export class OrgDevice extends Node {
  @Field()
  serialNumber: string;
  @Field(() => String, { nullable: true })
  model: string | null;
  @Field(() => String, { nullable: true, description: 'iPhone, iPad, Mac, AppleTV, Watch, Vision' })
  productFamily: string | null;
  @Field(() => String, { nullable: true, description: 'e.g. iPhone14,3' })
  productType: string | null;
  @Field(() => String, { nullable: true })
  capacity: string | null;
  @Field(() => String, { nullable: true })
  partNumber: string | null;
  @Field(() => String, { nullable: true })
  color: string | null;
  @Field(() => String, { nullable: true })
  orderNumber: string | null;
  @Field(() => Date, { nullable: true })
  orderedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'APPLE, RESELLER or MANUALLY_ADDED' })
  purchaseSourceType: string | null;
  @Field(() => String, { nullable: true, description: 'The Apple customer or reseller number' })
  purchaseSourceId: string | null;
  @Field(() => OrgDeviceStatus, { nullable: true })
  status: OrgDeviceStatus | null;
  @Field(() => Date, { nullable: true })
  addedToOrgAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When Apple last changed the device' })
  updatedAtApple: Date | null;
  @Field(() => [String])
  imei: string[];
  @Field(() => [String])
  meid: string[];
  @Field(() => String, { nullable: true })
  eid: string | null;
  @Field(() => [String])
  wifiMacAddresses: string[];
  @Field(() => [String])
  bluetoothMacAddresses: string[];
  @Field(() => [String])
  ethernetMacAddresses: string[];
  @Field(() => Boolean, { nullable: true })
  isMdmMigrationCapable: boolean | null;
  @Field(() => String, { nullable: true, description: 'REQUESTED, STARTED, SUCCESS or FAILED' })
  mdmMigrationStatus: string | null;
  @Field(() => Date, { nullable: true })
  mdmMigrationDeadline: Date | null;
  @Field(() => [AppleCareCoverage], { nullable: true, description: 'As last read from Apple (refreshOrgDeviceAppleCareCoverage); null before the first read' })
  appleCareCoverage: AppleCareCoverage[] | null;
  @Field(() => Date, { nullable: true })
  appleCareCoverageReadAt: Date | null;
  @Field({ description: 'When the mirror last read the device from Apple' })
  mirroredAt: Date;

  rowId: string;
  accountId: string;
  assignedServerAppleId: string | null;

  static from(e: OrgDeviceEntity): OrgDevice {
    return Object.assign(new OrgDevice(), {
      id: toGlobalId('OrgDevice', e.id),
      rowId: e.id,
      accountId: e.accountId,
      assignedServerAppleId: e.assignedServerId,
      serialNumber: e.serialNumber,
      model: e.deviceModel,
      productFamily: e.productFamily,
      productType: e.productType,
      capacity: e.deviceCapacity,
      partNumber: e.partNumber,
      color: e.color,
      orderNumber: e.orderNumber,
      orderedAt: e.orderDateTime,
      purchaseSourceType: e.purchaseSourceType,
      purchaseSourceId: e.purchaseSourceId,
      status: (e.status as OrgDeviceStatus | null) ?? null,
      addedToOrgAt: e.addedToOrgAt,
      updatedAtApple: e.appleUpdatedAt,
      imei: e.imei ?? [],
      meid: e.meid ?? [],
      eid: e.eid,
      wifiMacAddresses: e.wifiMacAddresses ?? [],
      bluetoothMacAddresses: e.bluetoothMacAddresses ?? [],
      ethernetMacAddresses: e.ethernetMacAddresses ?? [],
      isMdmMigrationCapable: e.mdmMigrationCapable,
      mdmMigrationStatus: e.mdmMigrationStatus,
      mdmMigrationDeadline: e.mdmMigrationDeadline,
      appleCareCoverage: e.appleCare ? e.appleCare.map(AppleCareCoverage.from) : null,
      appleCareCoverageReadAt: e.appleCareReadAt,
      mirroredAt: e.mirroredAt,
    });
  }
}

export const OrgDeviceConnection = ConnectionType(OrgDevice, 'OrgDevice');

@ObjectType({ implements: Node, description: "An MDM server of the organisation, as Apple's School and Business API lists it" })
export class MdmServer extends Node {
  @Field({ description: "Apple's id of the server" })
  appleId: string;
  @Field()
  name: string;
  @Field(() => String, { nullable: true, description: 'MDM, APPLE_CONFIGURATOR or APPLE_MDM' })
  type: string | null;
  @Field(() => String, { nullable: true, description: 'ACTIVE, INACTIVE or DELETED' })
  status: string | null;
  @Field(() => Int, { nullable: true })
  deviceCount: number | null;
  @Field(() => [MdmProductFamily], { description: 'New devices of these families go to this server' })
  defaultProductFamilies: MdmProductFamily[];
  @Field(() => Date, { nullable: true })
  lastConnectedAt: Date | null;
  @Field(() => Date, { nullable: true })
  createdAtApple: Date | null;

  rowId: string;
  accountId: string;

  static from(e: AppleMdmServerEntity): MdmServer {
    return Object.assign(new MdmServer(), {
      id: toGlobalId('MdmServer', e.id),
      rowId: e.id,
      accountId: e.accountId,
      appleId: e.appleId,
      name: e.serverName,
      type: e.serverType,
      status: e.status,
      deviceCount: e.deviceCount,
      defaultProductFamilies: e.defaultProductFamilies.filter((f) => f in MdmProductFamily) as MdmProductFamily[],
      lastConnectedAt: e.lastConnectedAt,
      createdAtApple: e.appleCreatedAt,
    });
  }
}

@InputType()
export class OrgDeviceFilter {
  @Field(() => String, { nullable: true, description: 'At most 20 characters' })
  serialNumberPrefix?: string | null;
  @Field(() => String, { nullable: true, description: 'iPhone, iPad, Mac, AppleTV, Watch or Vision' })
  productFamily?: string | null;
  @Field(() => OrgDeviceStatus, { nullable: true })
  status?: OrgDeviceStatus | null;
  @Field(() => ID, { nullable: true, description: 'Devices assigned to this MdmServer' })
  mdmServerId?: string | null;
  @Field(() => String, { nullable: true })
  orderNumber?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: devices on no server; false: devices on one' })
  unassigned?: boolean | null;
}

@ArgsType()
export class OrgDevicesArgs extends ConnectionArgs {
  @Field(() => ID)
  accountId: string;

  @Field(() => OrgDeviceFilter, { nullable: true })
  filter?: OrgDeviceFilter | null;
}

@InputType()
export class RefreshOrgDeviceAppleCareCoverageInput {
  @Field(() => ID)
  orgDeviceId: string;
}

@ObjectType()
export class OrgDevicePayload {
  @Field(() => OrgDevice)
  orgDevice: OrgDevice;
}

@InputType()
export class SyncAppleBusinessInventoryInput {
  @Field(() => ID)
  accountId: string;
}

@ObjectType()
export class SyncAppleBusinessInventoryPayload {
  @Field({ description: 'True when a mirror was queued (false: one is already waiting)' })
  queued: boolean;
}
