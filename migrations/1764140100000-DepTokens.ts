import type { MigrationInterface, QueryRunner } from 'typeorm';

/** DEP token key pairs, tokens (sealed credentials) and their scope tags. */
export class DepTokens1764140100000 implements MigrationInterface {
  name = 'DepTokens1764140100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dep_token_key_pairs (
        id uuid PRIMARY KEY,
        certificate_pem text NOT NULL,
        certificate_serial text NOT NULL,
        private_key_sealed text NOT NULL,
        data_sharing_consent_at timestamptz(3) NOT NULL,
        created_by_api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3)
      )`);
    await q.query(`
      CREATE TABLE dep_tokens (
        id uuid PRIMARY KEY,
        key_pair_id uuid NOT NULL UNIQUE REFERENCES dep_token_key_pairs (id) ON DELETE RESTRICT,
        name text NOT NULL,
        apple_id text NOT NULL,
        org_name text,
        org_email text,
        org_id text,
        server_name text,
        server_uuid text NOT NULL UNIQUE,
        token_type text NOT NULL CHECK (token_type IN ('DEP', 'ASM')),
        consumer_key text NOT NULL,
        credentials_sealed text NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        terms_not_accepted_at timestamptz(3),
        rejected_at timestamptz(3),
        last_sync_triggered_at timestamptz(3),
        last_successful_sync_at timestamptz(3),
        last_sync_error text,
        synced_device_count integer NOT NULL DEFAULT 0,
        renewed_at timestamptz(3),
        created_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX dep_tokens_created_idx ON dep_tokens (created_at, id)`);
    await q.query(`
      CREATE TABLE dep_token_scope_tags (
        token_id uuid NOT NULL REFERENCES dep_tokens (id) ON DELETE CASCADE,
        scope_tag_id uuid NOT NULL REFERENCES scope_tags (id) ON DELETE RESTRICT,
        PRIMARY KEY (token_id, scope_tag_id)
      )`);
    await q.query(`CREATE INDEX dep_token_scope_tags_tag_idx ON dep_token_scope_tags (scope_tag_id, token_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dep_token_scope_tags`);
    await q.query(`DROP TABLE dep_tokens`);
    await q.query(`DROP TABLE dep_token_key_pairs`);
  }
}
