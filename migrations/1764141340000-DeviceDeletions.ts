import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * deleteDevices: a bulk deletion runs as a job; this row is its progress (polled through
 * `deviceDeletion(id)`), with what it deletes (ids or a filter) and whose visibility applies.
 */
export class DeviceDeletions1764141340000 implements MigrationInterface {
  name = 'DeviceDeletions1764141340000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device_deletions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        api_key_id uuid NOT NULL,
        api_key_name text NOT NULL,
        scope_tag_ids uuid[] NOT NULL DEFAULT '{}',
        filter jsonb,
        device_ids uuid[],
        total integer NOT NULL,
        deleted integer NOT NULL DEFAULT 0,
        error text,
        requested_at timestamptz(3) NOT NULL,
        started_at timestamptz(3),
        finished_at timestamptz(3),
        CHECK ((filter IS NULL) <> (device_ids IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_deletions`);
  }
}
