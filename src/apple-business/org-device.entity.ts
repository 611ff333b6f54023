import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface AppleCareCoverageRecord {
  id: string;
  description: string | null;
  status: string | null;
  paymentType: string | null;
  startDateTime: string | null;
  endDateTime: string | null;
  isRenewable: boolean | null;
  isCanceled: boolean | null;
  contractCancelDateTime: string | null;
  agreementNumber: string | null;
}

/** One device of the organisation as Apple's orgDevices lists it, mirrored per account. */
@Entity({ name: 'org_devices' })
export class OrgDeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ name: 'serial_number', type: 'text' })
  serialNumber: string;

  @Column({ name: 'device_model', type: 'text', nullable: true })
  deviceModel: string | null;

  @Column({ name: 'product_family', type: 'text', nullable: true })
  productFamily: string | null;

  @Column({ name: 'product_type', type: 'text', nullable: true })
  productType: string | null;

  @Column({ name: 'device_capacity', type: 'text', nullable: true })
  deviceCapacity: string | null;

  @Column({ name: 'part_number', type: 'text', nullable: true })
  partNumber: string | null;

  @Column({ name: 'order_number', type: 'text', nullable: true })
  orderNumber: string | null;

  @Column({ name: 'order_date_time', type: 'timestamptz', precision: 3, nullable: true })
  orderDateTime: Date | null;

  @Column({ type: 'text', nullable: true })
  color: string | null;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ name: 'assigned_server_id', type: 'text', nullable: true })
  assignedServerId: string | null;

  @Column({ name: 'added_to_org_at', type: 'timestamptz', precision: 3, nullable: true })
  addedToOrgAt: Date | null;

  @Column({ name: 'apple_updated_at', type: 'timestamptz', precision: 3, nullable: true })
  appleUpdatedAt: Date | null;

  @Column({ name: 'released_at', type: 'timestamptz', precision: 3, nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'purchase_source_type', type: 'text', nullable: true })
  purchaseSourceType: string | null;

  @Column({ name: 'purchase_source_id', type: 'text', nullable: true })
  purchaseSourceId: string | null;

  @Column({ type: 'text', array: true, nullable: true })
  imei: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  meid: string[] | null;

  @Column({ type: 'text', nullable: true })
  eid: string | null;

  @Column({ name: 'wifi_mac_addresses', type: 'text', array: true, nullable: true })
  wifiMacAddresses: string[] | null;

  @Column({ name: 'bluetooth_mac_addresses', type: 'text', array: true, nullable: true })
  bluetoothMacAddresses: string[] | null;

  @Column({ name: 'ethernet_mac_addresses', type: 'text', array: true, nullable: true })
  ethernetMacAddresses: string[] | null;

  @Column({ name: 'mdm_migration_capable', type: 'boolean', nullable: true })
  mdmMigrationCapable: boolean | null;

  @Column({ name: 'mdm_migration_status', type: 'text', nullable: true })
  mdmMigrationStatus: string | null;

  @Column({ name: 'mdm_migration_deadline', type: 'timestamptz', precision: 3, nullable: true })
  mdmMigrationDeadline: Date | null;

  @Column({ name: 'apple_care', type: 'jsonb', nullable: true })
  appleCare: AppleCareCoverageRecord[] | null;

  @Column({ name: 'apple_care_read_at', type: 'timestamptz', precision: 3, nullable: true })
  appleCareReadAt: Date | null;

  @Column({ name: 'mirrored_at', type: 'timestamptz', precision: 3 })
  mirroredAt: Date;
}
