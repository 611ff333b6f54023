import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The pending request for a new push certificate (one at most: a new request replaces it): the key
 * depgate generated, kept until Apple's certificate for it is uploaded, the request expires, or a
 * newer request replaces it.
 */
@Entity({ name: 'apns_certificate_requests' })
export class ApnsCertificateRequestEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** The CSR's subject on one line (Apple issues the certificate with its own subject). */
  @Column({ type: 'text' })
  subject: string;

  /** The PKCS#10 request (public). */
  @Column({ name: 'csr_pem', type: 'text' })
  csrPem: string;

  /** Hex SHA-256 of the key's SubjectPublicKeyInfo: how the certificate Apple issues is recognised. */
  @Column({ name: 'public_key_sha256', type: 'text' })
  publicKeySha256: string;

  /** The private key (PKCS#8 PEM), sealed with SecretBox and bound to this row's id. */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  /** The base64 push certificate request plist, when an MDM vendor certificate signed it; null: the bare CSR. */
  @Column({ name: 'push_certificate_request', type: 'text', nullable: true })
  pushCertificateRequest: string | null;

  /** The subject of the vendor certificate that signed it. */
  @Column({ name: 'vendor_certificate_subject', type: 'text', nullable: true })
  vendorCertificateSubject: string | null;

  /** Whether the vendor chain ended in a root when it was signed (Apple's portal needs the full chain). */
  @Column({ name: 'vendor_chain_complete', type: 'boolean', nullable: true })
  vendorChainComplete: boolean | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}
