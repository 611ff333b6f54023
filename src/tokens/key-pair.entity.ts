import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The vendor key pair a token file is encrypted to. Handed out (certificate only) before the admin
 * creates the MDM server in Apple Business Manager; pending until an upload uses it, and refused
 * after it expires. Kept after use: Apple encrypts renewals to the same certificate.
 */
@Entity({ name: 'dep_token_key_pairs' })
export class DepTokenKeyPairEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem: string;

  @Column({ name: 'certificate_serial', type: 'text' })
  certificateSerial: string;

  /** AES-256-GCM under SECRET_KEY (SecretBox), bound to this row's id. */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  @Column({ name: 'data_sharing_consent_at', type: 'timestamptz', precision: 3 })
  dataSharingConsentAt: Date;

  @Column({ name: 'created_by_api_key_id', type: 'uuid', nullable: true })
  createdByApiKeyId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  /** A pending key pair stops being usable for a first upload at this time. */
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', precision: 3, nullable: true })
  usedAt: Date | null;
}
