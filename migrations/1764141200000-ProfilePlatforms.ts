import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrollment profiles state their platform (existing ones are iOS, the only platform they were
 * written for), and a token has a default profile per platform. The single default that existed
 * (`default_profile_id`) stays where it is as the iOS default, so nothing is copied and old
 * clients keep working; the others get their own columns, like it cleared when the profile goes.
 */
export class ProfilePlatforms1764141200000 implements MigrationInterface {
  name = 'ProfilePlatforms1764141200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE enrollment_profiles ADD COLUMN platform text NOT NULL DEFAULT 'IOS'
         CONSTRAINT enrollment_profiles_platform_check CHECK (platform IN ('IOS', 'MACOS', 'TVOS', 'VISIONOS'))`,
    );
    for (const platform of ['macos', 'tvos', 'visionos']) {
      await q.query(`ALTER TABLE dep_tokens ADD COLUMN default_${platform}_profile_id uuid REFERENCES enrollment_profiles (id) ON DELETE SET NULL`);
    }
    await q.query(`COMMENT ON COLUMN dep_tokens.default_profile_id IS 'The default profile of iOS / iPadOS devices'`);
    await q.query(`ALTER TABLE sync_runs ADD COLUMN devices_without_default_profile integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN devices_without_default_profile`);
    await q.query(`COMMENT ON COLUMN dep_tokens.default_profile_id IS NULL`);
    for (const platform of ['macos', 'tvos', 'visionos']) {
      await q.query(`ALTER TABLE dep_tokens DROP COLUMN default_${platform}_profile_id`);
    }
    await q.query(`ALTER TABLE enrollment_profiles DROP COLUMN platform`);
  }
}
