import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync runs, and the sync state kept on each token: Apple's cursors (saved only after the page they
 * came with is committed), the full fetch in progress, and the anchors of the rate rules.
 */
export class SyncRuns1764140300000 implements MigrationInterface {
  name = 'SyncRuns1764140300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        token_id uuid NOT NULL REFERENCES dep_tokens (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('FULL', 'DELTA')),
        trigger text NOT NULL CHECK (trigger IN ('MANUAL', 'SCHEDULED', 'TOKEN_UPLOAD')),
        status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT')),
        full_sync_reason text,
        queued_at timestamptz(3) NOT NULL,
        started_at timestamptz(3),
        deadline_at timestamptz(3),
        finished_at timestamptz(3),
        attempts integer NOT NULL DEFAULT 0,
        pages_fetched integer NOT NULL DEFAULT 0,
        devices_added integer NOT NULL DEFAULT 0,
        devices_modified integer NOT NULL DEFAULT 0,
        devices_deleted integer NOT NULL DEFAULT 0,
        assignments_made integer NOT NULL DEFAULT 0,
        assignments_failed integer NOT NULL DEFAULT 0,
        error_code text,
        error_message text,
        requested_by_api_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL,
        job_id text,
        updated_at timestamptz(3) NOT NULL
      )`);
    // One run waiting or running per token, on every instance: the database says no to a second.
    await q.query(`CREATE UNIQUE INDEX sync_runs_one_active_per_token ON sync_runs (token_id) WHERE status IN ('QUEUED', 'RUNNING')`);
    await q.query(`CREATE INDEX sync_runs_token_idx ON sync_runs (token_id, seq)`);
    await q.query(`CREATE INDEX sync_runs_running_idx ON sync_runs (status) WHERE status IN ('QUEUED', 'RUNNING')`);

    await q.query(`
      ALTER TABLE dep_tokens
        ADD COLUMN sync_cursor text,
        ADD COLUMN sync_cursor_issued_at timestamptz(3),
        ADD COLUMN fetch_cursor text,
        ADD COLUMN fetch_id uuid,
        ADD COLUMN fetch_started_at timestamptz(3),
        ADD COLUMN full_sync_required boolean NOT NULL DEFAULT true,
        ADD COLUMN last_full_sync_at timestamptz(3),
        ADD COLUMN last_manual_sync_at timestamptz(3)`);

    // Which full fetch last listed the device: after a fetch completes, synced devices it did not
    // list are no longer assigned to the MDM server. Which run last wrote it: a device changed on
    // several pages of one run counts once.
    await q.query(`ALTER TABLE devices ADD COLUMN last_fetch_id uuid, ADD COLUMN last_sync_run_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices DROP COLUMN last_fetch_id, DROP COLUMN last_sync_run_id`);
    await q.query(`
      ALTER TABLE dep_tokens
        DROP COLUMN sync_cursor,
        DROP COLUMN sync_cursor_issued_at,
        DROP COLUMN fetch_cursor,
        DROP COLUMN fetch_id,
        DROP COLUMN fetch_started_at,
        DROP COLUMN full_sync_required,
        DROP COLUMN last_full_sync_at,
        DROP COLUMN last_manual_sync_at`);
    await q.query(`DROP TABLE sync_runs`);
  }
}
