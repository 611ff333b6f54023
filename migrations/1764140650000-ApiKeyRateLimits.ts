import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RATE_LIMIT_PER_MINUTE: one token bucket per API key, shared by every instance on the database
 * (src/auth/api-key-rate-limiter.ts owns it). A row is written only when a request is let through.
 */
export class ApiKeyRateLimits1764140650000 implements MigrationInterface {
  name = 'ApiKeyRateLimits1764140650000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_key_rate_limits (
        api_key_id uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
        tokens double precision NOT NULL,
        refilled_at timestamptz(3) NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key_rate_limits`);
  }
}
