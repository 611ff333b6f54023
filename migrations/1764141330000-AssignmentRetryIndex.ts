import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The assignment retry job's minute-by-minute question: which THROTTLED or FAILED devices are due. */
export class AssignmentRetryIndex1764141330000 implements MigrationInterface {
  name = 'AssignmentRetryIndex1764141330000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX devices_assignment_retry_idx ON devices (next_assignment_retry_at)
        WHERE deleted_at IS NULL AND last_assignment_result IN ('THROTTLED', 'FAILED') AND next_assignment_retry_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices_assignment_retry_idx`);
  }
}
