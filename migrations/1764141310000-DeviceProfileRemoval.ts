import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * removeEnrollmentProfile: when an admin last had Apple clear the device's profile. Automatic
 * assignment leaves such a device without the token's default profile until someone assigns one.
 */
export class DeviceProfileRemoval1764141310000 implements MigrationInterface {
  name = 'DeviceProfileRemoval1764141310000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices ADD COLUMN profile_removed_at timestamptz(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices DROP COLUMN profile_removed_at`);
  }
}
