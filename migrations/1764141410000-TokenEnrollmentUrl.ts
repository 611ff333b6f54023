import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A DEP token's own enrollment URL: tokens may feed different MDM servers (ENROLLMENT_URL is the default). */
export class TokenEnrollmentUrl1764141410000 implements MigrationInterface {
  name = 'TokenEnrollmentUrl1764141410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dep_tokens ADD COLUMN enrollment_url text CHECK (char_length(enrollment_url) <= 2000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dep_tokens DROP COLUMN enrollment_url`);
  }
}
