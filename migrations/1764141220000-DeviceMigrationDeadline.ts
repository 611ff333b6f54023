import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Apple's `mdm_migration_deadline` (protocol 8 and later): the time by which a device being moved
 * to this MDM server without a wipe must have enrolled here. Stored as Apple sent it; the alert
 * DEVICE_MIGRATION_DEADLINE (about the device's DEP token) warns before the earliest one passes.
 */
export class DeviceMigrationDeadline1764141220000 implements MigrationInterface {
  name = 'DeviceMigrationDeadline1764141220000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices ADD COLUMN mdm_migration_deadline timestamptz(3)`);
    // The alert reads the earliest deadline ahead of a token's devices still to migrate.
    await q.query(
      `CREATE INDEX devices_token_migration_deadline ON devices (token_id, mdm_migration_deadline)
        WHERE mdm_migration_deadline IS NOT NULL AND deleted_at IS NULL`,
    );
    await q.query(`INSERT INTO alert_kinds (kind, subject_type) VALUES ('DEVICE_MIGRATION_DEADLINE', 'DEP_TOKEN')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE kind = 'DEVICE_MIGRATION_DEADLINE'`);
    await q.query(`DELETE FROM alert_kinds WHERE kind = 'DEVICE_MIGRATION_DEADLINE'`);
    await q.query(`DROP INDEX devices_token_migration_deadline`);
    await q.query(`ALTER TABLE devices DROP COLUMN mdm_migration_deadline`);
  }
}
