import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DEP token status last announced (TOKEN_STATUS_CHANGED): the status is derived from expiry,
 * Apple's refusals and the clock, so a change (ACTIVE -> EXPIRING_SOON by the passing of days, say)
 * is seen only by comparing with what was told before. NULL until first evaluated: recorded then
 * without an announcement, so an upgrade does not announce every token.
 */
export class TokenAnnouncedStatus1764141800000 implements MigrationInterface {
  name = 'TokenAnnouncedStatus1764141800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE dep_tokens ADD COLUMN announced_status text
         CHECK (announced_status IN ('ACTIVE', 'EXPIRING_SOON', 'EXPIRED', 'TERMS_NOT_ACCEPTED', 'REJECTED'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dep_tokens DROP COLUMN announced_status`);
  }
}
