import { Column, PrimaryColumn } from 'typeorm';

/**
 * The columns dep_tokens and vpp_tokens both have. Not an entity: DepTokenEntity and
 * VppTokenEntity extend it (each owns its table) and add their own columns and scope tags.
 */
export abstract class AppleTokenColumns {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'org_name', type: 'text', nullable: true })
  orgName: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'renewed_at', type: 'timestamptz', precision: 3, nullable: true })
  renewedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
