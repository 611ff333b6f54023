import type { MigrationInterface, QueryRunner } from 'typeorm';

/** apiKeys(first, after): keyset pages in creation order (created_at, id). */
export class ApiKeyListIndex1764140810000 implements MigrationInterface {
  name = 'ApiKeyListIndex1764140810000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX api_keys_created_idx ON api_keys (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_keys_created_idx`);
  }
}
