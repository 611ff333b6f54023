import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts about Apple School and Business API accounts: Apple refusing the account, and its client
 * assertion nearing its end while depgate cannot renew it. The alert names the account through
 * alerts.apple_business_account_id (visible through the account's scope tags; disconnecting the
 * account deletes its alerts), and the account keeps why its last scheduled renewal failed.
 */
export class AppleBusinessAlerts1764141810000 implements MigrationInterface {
  name = 'AppleBusinessAlerts1764141810000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE apple_business_accounts ADD COLUMN assertion_renewal_error text`);
    await q.query(
      `INSERT INTO alert_kinds (kind, subject_type) VALUES
         ('APPLE_BUSINESS_ACCOUNT_REFUSED', 'APPLE_BUSINESS_ACCOUNT'),
         ('APPLE_BUSINESS_ASSERTION_EXPIRING', 'APPLE_BUSINESS_ACCOUNT'),
         ('APPLE_BUSINESS_ASSERTION_EXPIRED', 'APPLE_BUSINESS_ACCOUNT')`,
    );
    await q.query(`ALTER TABLE alerts ADD COLUMN apple_business_account_id uuid REFERENCES apple_business_accounts (id) ON DELETE CASCADE`);
    await q.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_apple_business_account_check
         CHECK (apple_business_account_id IS NULL OR (dep_token_id IS NULL AND vpp_token_id IS NULL AND subject_id = apple_business_account_id))`,
    );
    await q.query(`CREATE INDEX alerts_apple_business_account_idx ON alerts (apple_business_account_id) WHERE apple_business_account_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE apple_business_account_id IS NOT NULL`);
    await q.query(`ALTER TABLE alerts DROP COLUMN apple_business_account_id`);
    await q.query(`DELETE FROM alert_kinds WHERE kind IN ('APPLE_BUSINESS_ACCOUNT_REFUSED', 'APPLE_BUSINESS_ASSERTION_EXPIRING', 'APPLE_BUSINESS_ASSERTION_EXPIRED')`);
    await q.query(`ALTER TABLE apple_business_accounts DROP COLUMN assertion_renewal_error`);
  }
}
