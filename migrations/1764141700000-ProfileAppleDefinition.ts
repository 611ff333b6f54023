import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The profile JSON last defined at Apple. Since a token's enrollment URL can change, what Apple has
 * is no longer derivable from the stored settings: an update compares with this to decide whether
 * to define the profile again. Null for profiles defined before it existed (they are compared with
 * their settings as before, and get it on their next definition).
 */
export class ProfileAppleDefinition1764141700000 implements MigrationInterface {
  name = 'ProfileAppleDefinition1764141700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollment_profiles ADD COLUMN apple_definition jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrollment_profiles DROP COLUMN apple_definition`);
  }
}
