import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The deployment's Apple MDM push certificate (one at most): what the MDM server pushes to devices with. */
@Entity({ name: 'apns_certificates' })
export class ApnsCertificateEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** The push topic, the certificate subject's UID: `com.apple.mgmt.External.<uuid>`. */
  @Column({ type: 'text' })
  topic: string;

  /** The subject as one line (RFC 4514 order reversed, as openssl prints it). */
  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text' })
  issuer: string;

  /** Hexadecimal, as Apple's portal shows it. */
  @Column({ name: 'serial_number', type: 'text' })
  serialNumber: string;

  @Column({ name: 'not_before', type: 'timestamptz', precision: 3 })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz', precision: 3 })
  notAfter: Date;

  /** The Apple ID that created the certificate in Apple's Push Certificates Portal (renewals need the same one). */
  @Column({ name: 'apple_id', type: 'text' })
  appleId: string;

  /** The certificate is public; the MDM server needs it beside the key. */
  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem: string;

  /** The private key (PKCS#8 PEM), sealed with SecretBox and bound to this row's id. */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'renewed_at', type: 'timestamptz', precision: 3, nullable: true })
  renewedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
