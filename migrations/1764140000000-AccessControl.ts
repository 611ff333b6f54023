import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (hashed secrets, roles) and scope tags. */
export class AccessControl1764140000000 implements MigrationInterface {
  name = 'AccessControl1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scope_tags (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX scope_tags_name_key ON scope_tags (lower(name))`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('READER', 'OPERATOR', 'ADMIN')),
        secret_prefix text NOT NULL,
        secret_hash bytea NOT NULL UNIQUE,
        is_bootstrap boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        revoked_at timestamptz(3),
        last_used_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX api_keys_secret_prefix_idx ON api_keys (secret_prefix)`);
    await q.query(`
      CREATE TABLE api_key_scope_tags (
        api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        scope_tag_id uuid NOT NULL REFERENCES scope_tags (id) ON DELETE RESTRICT,
        PRIMARY KEY (api_key_id, scope_tag_id)
      )`);
    await q.query(`CREATE INDEX api_key_scope_tags_tag_idx ON api_key_scope_tags (scope_tag_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key_scope_tags`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE scope_tags`);
  }
}
