import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An MDM server of the organisation as Apple lists it, under an id of ours (per account). */
@Entity({ name: 'apple_mdm_servers' })
export class AppleMdmServerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  /** Apple's opaque id (32 hex digits). */
  @Column({ name: 'apple_id', type: 'text' })
  appleId: string;

  @Column({ name: 'server_name', type: 'text' })
  serverName: string;

  @Column({ name: 'server_type', type: 'text', nullable: true })
  serverType: string | null;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ name: 'device_count', type: 'integer', nullable: true })
  deviceCount: number | null;

  @Column({ name: 'default_product_families', type: 'text', array: true })
  defaultProductFamilies: string[];

  @Column({ name: 'last_connected_at', type: 'timestamptz', precision: 3, nullable: true })
  lastConnectedAt: Date | null;

  @Column({ name: 'apple_created_at', type: 'timestamptz', precision: 3, nullable: true })
  appleCreatedAt: Date | null;

  @Column({ name: 'mirrored_at', type: 'timestamptz', precision: 3 })
  mirroredAt: Date;
}

/** A DEP token's server uuid as Apple's Business API spells the same server's id. */
export function mdmServerAppleIdOf(depServerUuid: string): string {
  return depServerUuid.replace(/-/g, '').toUpperCase();
}
