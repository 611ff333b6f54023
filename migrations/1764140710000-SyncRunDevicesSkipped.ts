import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Records from Apple a run could not store (no valid serial number) are skipped and counted. */
export class SyncRunDevicesSkipped1764140710000 implements MigrationInterface {
  name = 'SyncRunDevicesSkipped1764140710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs ADD COLUMN devices_skipped integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN devices_skipped`);
  }
}
