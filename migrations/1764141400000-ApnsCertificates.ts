import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Apple MDM push (APNs) certificate: one per deployment (an MDM server pushes with one topic),
 * kept by a unique index on a constant. Its alerts name it through alerts.apns_certificate_id.
 */
export class ApnsCertificates1764141400000 implements MigrationInterface {
  name = 'ApnsCertificates1764141400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apns_certificates (
        id uuid PRIMARY KEY,
        topic text NOT NULL,
        subject text NOT NULL,
        issuer text NOT NULL,
        serial_number text NOT NULL,
        not_before timestamptz(3) NOT NULL,
        not_after timestamptz(3) NOT NULL,
        apple_id text NOT NULL,
        certificate_pem text NOT NULL,
        private_key_sealed text NOT NULL,
        created_at timestamptz(3) NOT NULL,
        renewed_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX apns_certificates_one ON apns_certificates ((true))`);
    await q.query(`INSERT INTO alert_kinds (kind, subject_type) VALUES ('APNS_CERT_EXPIRING', 'APNS_CERTIFICATE'), ('APNS_CERT_EXPIRED', 'APNS_CERTIFICATE')`);
    await q.query(`ALTER TABLE alerts ADD COLUMN apns_certificate_id uuid REFERENCES apns_certificates (id) ON DELETE CASCADE`);
    await q.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_apns_certificate_check
         CHECK (apns_certificate_id IS NULL OR (dep_token_id IS NULL AND vpp_token_id IS NULL AND subject_id = apns_certificate_id))`,
    );
    await q.query(`CREATE INDEX alerts_apns_certificate_idx ON alerts (apns_certificate_id) WHERE apns_certificate_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE apns_certificate_id IS NOT NULL`);
    await q.query(`ALTER TABLE alerts DROP COLUMN apns_certificate_id`);
    await q.query(`DELETE FROM alert_kinds WHERE kind IN ('APNS_CERT_EXPIRING', 'APNS_CERT_EXPIRED')`);
    await q.query(`DROP TABLE apns_certificates`);
  }
}
