import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert kinds of their own for tokens Apple refuses before their expiry (DEP_TOKEN_REJECTED,
 * VPP_TOKEN_REVOKED) instead of reusing the expiry kinds. Active alerts of the old kinds that were
 * about a refusal are left as they are: the next evaluation resolves them (CLEARED: the expiry
 * alert's cause is gone) and raises the new kind.
 */
const OLD_KINDS = [
  'DEP_TOKEN_EXPIRING', 'DEP_TOKEN_EXPIRED', 'DEP_TERMS_NOT_ACCEPTED', 'DEP_SYNC_FAILING',
  'VPP_TOKEN_EXPIRING', 'VPP_TOKEN_EXPIRED', 'VPP_LICENSES_LOW', 'VPP_LICENSES_EXHAUSTED',
];
const NEW_KINDS = [...OLD_KINDS, 'DEP_TOKEN_REJECTED', 'VPP_TOKEN_REVOKED'];
const list = (kinds: string[]) => kinds.map((k) => `'${k}'`).join(', ');

export class TokenRefusalAlertKinds1764140700000 implements MigrationInterface {
  name = 'TokenRefusalAlertKinds1764140700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check`);
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN (${list(NEW_KINDS)}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE kind IN ('DEP_TOKEN_REJECTED', 'VPP_TOKEN_REVOKED')`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check`);
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN (${list(OLD_KINDS)}))`);
  }
}
