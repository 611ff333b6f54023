import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SyncRun.expectedDevices and SyncRun.progress (issue #10): the estimate a full sync is measured
 * against (the token's synced device count when the run became full; NULL when unknown) and the
 * devices its fetch has listed so far.
 */
export class SyncRunProgress1764140800000 implements MigrationInterface {
  name = 'SyncRunProgress1764140800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs ADD COLUMN expected_devices integer, ADD COLUMN devices_fetched integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN expected_devices, DROP COLUMN devices_fetched`);
  }
}
