import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every profile key Apple takes (src/profiles/profile-keys.ts): off / empty for existing profiles. */
export class ProfileAppleKeys1764141210000 implements MigrationInterface {
  name = 'ProfileAppleKeys1764141210000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollment_profiles
      ADD COLUMN language text,
      ADD COLUMN region text,
      ADD COLUMN support_email_address text,
      ADD COLUMN org_magic text,
      ADD COLUMN auto_advance_setup boolean NOT NULL DEFAULT false,
      ADD COLUMN configuration_web_url text,
      ADD COLUMN multi_user boolean NOT NULL DEFAULT false,
      ADD COLUMN anchor_certificates text[] NOT NULL DEFAULT '{}',
      ADD COLUMN return_to_service boolean NOT NULL DEFAULT false,
      ADD COLUMN do_not_use_profile_from_backup boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollment_profiles
      DROP COLUMN language, DROP COLUMN region, DROP COLUMN support_email_address, DROP COLUMN org_magic,
      DROP COLUMN auto_advance_setup, DROP COLUMN configuration_web_url, DROP COLUMN multi_user,
      DROP COLUMN anchor_certificates, DROP COLUMN return_to_service, DROP COLUMN do_not_use_profile_from_backup`);
  }
}
