import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pending request for a new Apple MDM push certificate (createApnsCertificateRequest): the CSR,
 * its sealed private key and, when an MDM vendor certificate is configured, the signed request for
 * Apple's portal. One at most, kept by a unique index on a constant (a new request replaces it).
 */
export class ApnsCertificateRequests1764141820000 implements MigrationInterface {
  name = 'ApnsCertificateRequests1764141820000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apns_certificate_requests (
        id uuid PRIMARY KEY,
        subject text NOT NULL,
        csr_pem text NOT NULL,
        public_key_sha256 text NOT NULL,
        private_key_sealed text NOT NULL,
        push_certificate_request text,
        vendor_certificate_subject text,
        vendor_chain_complete boolean,
        created_at timestamptz(3) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX apns_certificate_requests_one ON apns_certificate_requests ((true))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE apns_certificate_requests`);
  }
}
