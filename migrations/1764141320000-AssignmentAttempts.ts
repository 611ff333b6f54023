import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device.assignmentHistory: every attempt to assign a profile at Apple, with Apple's answer and who
 * or what asked. Goes with its device; pruned after ASSIGNMENT_HISTORY_RETENTION_DAYS.
 */
export class AssignmentAttempts1764141320000 implements MigrationInterface {
  name = 'AssignmentAttempts1764141320000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE assignment_attempts (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        serial_number text NOT NULL,
        profile_id uuid REFERENCES enrollment_profiles (id) ON DELETE SET NULL,
        apple_profile_uuid text,
        result text NOT NULL CHECK (result IN ('SUCCESS', 'NOT_ACCESSIBLE', 'FAILED', 'THROTTLED')),
        message text,
        retry_after_seconds integer,
        requested_by text NOT NULL CHECK (requested_by IN ('API_KEY', 'DEFAULT_PROFILE', 'REQUESTED_PROFILE', 'RETRY', 'PROFILE_UPDATE')),
        api_key_id uuid,
        api_key_name text,
        attempted_at timestamptz(3) NOT NULL
      )`);
    // A device's history, newest first (the connection's keyset order).
    await q.query(`CREATE INDEX assignment_attempts_device_idx ON assignment_attempts (device_id, seq)`);
    // The retention job.
    await q.query(`CREATE INDEX assignment_attempts_attempted_idx ON assignment_attempts (attempted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE assignment_attempts`);
  }
}
