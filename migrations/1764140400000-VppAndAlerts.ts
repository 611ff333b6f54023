import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VPP (Apps and Books) location tokens with their scope tags and last-read Company Portal licence
 * counts; alerts (expiry, terms, failing syncs, licences); and the foreign key from a profile's
 * Company Portal VPP token (the column exists since ProfilesAndDevices).
 *
 * "Raised once per crossing, even with several instances": at most one *active* alert per
 * (kind, subject, threshold), enforced by a partial unique index that inserts race against
 * (ON CONFLICT DO NOTHING); a resolved alert leaves the index, so the next crossing is a new row.
 */
export class VppAndAlerts1764140400000 implements MigrationInterface {
  name = 'VppAndAlerts1764140400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vpp_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        apple_id text,
        org_name text,
        location_name text,
        location_uid text NOT NULL,
        country_code text,
        token_sealed text NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        invalid_at timestamptz(3),
        invalid_reason text CHECK (invalid_reason IN ('INVALID', 'REVOKED', 'EXPIRED')),
        cp_total_count integer,
        cp_assigned_count integer,
        cp_available_count integer,
        licenses_refreshed_at timestamptz(3),
        last_refresh_attempt_at timestamptz(3),
        last_refresh_error text,
        renewed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    // Two tokens of one location share Apple's uId: the second upload is a renewal, not a new token.
    await q.query(`CREATE UNIQUE INDEX vpp_tokens_location_uid_key ON vpp_tokens (location_uid)`);
    await q.query(`CREATE INDEX vpp_tokens_list_idx ON vpp_tokens (created_at, id)`);
    await q.query(`
      CREATE TABLE vpp_token_scope_tags (
        vpp_token_id uuid NOT NULL REFERENCES vpp_tokens (id) ON DELETE CASCADE,
        scope_tag_id uuid NOT NULL REFERENCES scope_tags (id) ON DELETE RESTRICT,
        PRIMARY KEY (vpp_token_id, scope_tag_id)
      )`);
    await q.query(`CREATE INDEX vpp_token_scope_tags_tag_idx ON vpp_token_scope_tags (scope_tag_id, vpp_token_id)`);

    // No VPP token existed before this migration, so any id in the column is dangling.
    await q.query(`UPDATE enrollment_profiles SET company_portal_vpp_token_id = NULL WHERE company_portal_vpp_token_id IS NOT NULL`);
    await q.query(`
      ALTER TABLE enrollment_profiles
        ADD CONSTRAINT enrollment_profiles_company_portal_vpp_token_fkey
        FOREIGN KEY (company_portal_vpp_token_id) REFERENCES vpp_tokens (id) ON DELETE RESTRICT`);
    await q.query(
      `CREATE INDEX enrollment_profiles_vpp_token_idx ON enrollment_profiles (company_portal_vpp_token_id) WHERE company_portal_vpp_token_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN (
          'DEP_TOKEN_EXPIRING', 'DEP_TOKEN_EXPIRED', 'DEP_TERMS_NOT_ACCEPTED', 'DEP_SYNC_FAILING',
          'VPP_TOKEN_EXPIRING', 'VPP_TOKEN_EXPIRED', 'VPP_LICENSES_LOW', 'VPP_LICENSES_EXHAUSTED')),
        severity text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
        dep_token_id uuid REFERENCES dep_tokens (id) ON DELETE CASCADE,
        vpp_token_id uuid REFERENCES vpp_tokens (id) ON DELETE CASCADE,
        subject_id uuid GENERATED ALWAYS AS (COALESCE(dep_token_id, vpp_token_id)) STORED,
        subject_name text NOT NULL,
        threshold integer NOT NULL DEFAULT 0,
        message text NOT NULL,
        raised_at timestamptz(3) NOT NULL,
        resolved_at timestamptz(3),
        resolution text CHECK (resolution IN ('CLEARED', 'SUPERSEDED')),
        acknowledged_at timestamptz(3),
        acknowledged_by_api_key_id uuid,
        acknowledged_by text,
        CHECK ((dep_token_id IS NULL) <> (vpp_token_id IS NULL)),
        CHECK ((resolved_at IS NULL) = (resolution IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX alerts_active_key ON alerts (kind, subject_id, threshold) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX alerts_list_idx ON alerts (raised_at, id)`);
    await q.query(`CREATE INDEX alerts_subject_idx ON alerts (subject_id, raised_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alerts`);
    await q.query(`DROP INDEX enrollment_profiles_vpp_token_idx`);
    await q.query(`ALTER TABLE enrollment_profiles DROP CONSTRAINT enrollment_profiles_company_portal_vpp_token_fkey`);
    await q.query(`DROP TABLE vpp_token_scope_tags`);
    await q.query(`DROP TABLE vpp_tokens`);
  }
}
