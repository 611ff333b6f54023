import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A Mac's Apple Configurator certificate: with "sync by certificate", only it may pair. */
@Entity({ name: 'apple_configurator_certificates' })
export class ConfiguratorCertificateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem: string;

  /** Apple's `supervising_host_certs` takes base64 DER. */
  @Column({ name: 'der_base64', type: 'text' })
  derBase64: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ name: 'thumbprint_sha256', type: 'text' })
  thumbprintSha256: string;

  @Column({ name: 'not_before', type: 'timestamptz', precision: 3 })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'timestamptz', precision: 3 })
  notAfter: Date;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
