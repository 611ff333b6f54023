import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert kinds and subjects that features can add to independently.
 *
 * Until now the kinds were a CHECK list and the subject a column generated from the two token ids,
 * so every feature adding a kind (or a subject such as an APNs certificate) had to restate the whole
 * list or the whole expression, and two such migrations silently undid each other. Now:
 * - `alert_kinds` lists every kind with the subject type it is about; a feature's migration inserts
 *   its own rows, and alerts.kind references the table.
 * - `subject_id` is an ordinary column the application writes (the id of whatever the alert is
 *   about), so a new subject only adds its own foreign-key column beside dep_token_id/vpp_token_id
 *   (ON DELETE CASCADE) and a CHECK that it excludes the others.
 * - At most one of the token columns is set (was: exactly one).
 */
const KINDS: [kind: string, subjectType: string][] = [
  ['DEP_TOKEN_EXPIRING', 'DEP_TOKEN'],
  ['DEP_TOKEN_EXPIRED', 'DEP_TOKEN'],
  ['DEP_TOKEN_REJECTED', 'DEP_TOKEN'],
  ['DEP_TERMS_NOT_ACCEPTED', 'DEP_TOKEN'],
  ['DEP_SYNC_FAILING', 'DEP_TOKEN'],
  ['VPP_TOKEN_EXPIRING', 'VPP_TOKEN'],
  ['VPP_TOKEN_EXPIRED', 'VPP_TOKEN'],
  ['VPP_TOKEN_REVOKED', 'VPP_TOKEN'],
  ['VPP_LICENSES_LOW', 'VPP_TOKEN'],
  ['VPP_LICENSES_EXHAUSTED', 'VPP_TOKEN'],
];

export class AlertKindsTable1764141000000 implements MigrationInterface {
  name = 'AlertKindsTable1764141000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE alert_kinds (kind text PRIMARY KEY, subject_type text NOT NULL)`);
    await q.query(`INSERT INTO alert_kinds (kind, subject_type) SELECT * FROM unnest($1::text[], $2::text[])`, [
      KINDS.map(([k]) => k),
      KINDS.map(([, s]) => s),
    ]);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check`);
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_kind_fkey FOREIGN KEY (kind) REFERENCES alert_kinds (kind)`);

    // subject_id: generated -> written by the application (indexes on it are dropped with it).
    await q.query(`ALTER TABLE alerts ADD COLUMN subject uuid`);
    await q.query(`UPDATE alerts SET subject = subject_id`);
    await q.query(`ALTER TABLE alerts DROP COLUMN subject_id`);
    await q.query(`ALTER TABLE alerts RENAME COLUMN subject TO subject_id`);
    await q.query(`ALTER TABLE alerts ALTER COLUMN subject_id SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX alerts_active_key ON alerts (kind, subject_id, threshold) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX alerts_subject_idx ON alerts (subject_id, raised_at)`);

    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_check`);
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_one_token_check CHECK (num_nonnulls(dep_token_id, vpp_token_id) <= 1)`);
    await q.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_token_subject_check CHECK (subject_id = COALESCE(dep_token_id, vpp_token_id, subject_id))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM alerts WHERE num_nonnulls(dep_token_id, vpp_token_id) = 0`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_token_subject_check`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_one_token_check`);
    await q.query(`ALTER TABLE alerts ADD CONSTRAINT alerts_check CHECK ((dep_token_id IS NULL) <> (vpp_token_id IS NULL))`);
    await q.query(`ALTER TABLE alerts DROP COLUMN subject_id`);
    await q.query(`ALTER TABLE alerts ADD COLUMN subject_id uuid GENERATED ALWAYS AS (COALESCE(dep_token_id, vpp_token_id)) STORED`);
    await q.query(`CREATE UNIQUE INDEX alerts_active_key ON alerts (kind, subject_id, threshold) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX alerts_subject_idx ON alerts (subject_id, raised_at)`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_kind_fkey`);
    await q.query(
      `ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check CHECK (kind IN (${KINDS.map(([k]) => `'${k}'`).join(', ')}))`,
    );
    await q.query(`DROP TABLE alert_kinds`);
  }
}
