/**
 * Retries on a schedule: devices whose last assignment was THROTTLED or FAILED are sent again once
 * their cooldown ends, instead of waiting for a sync to see them again. The job
 * (assignment-retry.jobs.ts) runs every minute, so a device is retried within a minute of its
 * cooldown's end. Rules:
 * - never before `next_assignment_retry_at` (Apple's `retry_after_seconds` after THROTTLED);
 * - after FAILED, never sooner than 24 hours after the last attempt (Apple asked a peer to stop
 *   retrying FAILED devices sooner), whatever shorter cooldown a failed request left;
 * - through the assignment service's automatic path (the requested profile, else the default
 *   rule), so at most 1,000 serials per Apple request and the history records RETRY;
 * - a due device the automatic path had nothing to send for (no profile to give any more) has its
 *   retry time cleared, so it is not picked again every minute.
 */
import type { DataSource } from 'typeorm';
import { isAppleDepError } from '../apple/dep-errors';
import { DAY_MS, type Clock } from '../clock';
import type { Logger } from '../logger';
import { groupBy, type DeviceAssignmentService } from './assignment.service';

/** Devices one pass takes (oldest cooldown first); the next minute's pass takes the rest. */
export const RETRY_BATCH = 10_000;
/** After FAILED: at most one attempt per this long. */
export const FAILED_RETRY_INTERVAL_MS = DAY_MS;

export interface RetryPassResult {
  due: number;
  assigned: number;
  failed: number;
  skipped: number;
}

export class AssignmentRetryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly assignments: DeviceAssignmentService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async retryDue(signal?: AbortSignal): Promise<RetryPassResult> {
    const now = this.clock.now();
    const rows: { token_id: string; serial_number: string }[] = await this.dataSource.query(
      `SELECT token_id, serial_number FROM devices
        WHERE deleted_at IS NULL AND last_assignment_result IN ('THROTTLED', 'FAILED')
          AND next_assignment_retry_at <= $1
          AND (last_assignment_result = 'THROTTLED' OR last_assignment_at <= $2)
        ORDER BY next_assignment_retry_at, serial_number
        LIMIT $3`,
      [now, new Date(now.getTime() - FAILED_RETRY_INTERVAL_MS), RETRY_BATCH],
    );
    const byToken = groupBy(rows, (r) => r.token_id, (r) => r.serial_number);
    const result: RetryPassResult = { due: rows.length, assigned: 0, failed: 0, skipped: 0 };
    for (const [tokenId, serials] of byToken) {
      if (signal?.aborted) break;
      try {
        const pass = await this.assignments.autoAssign(tokenId, serials, { signal, requester: 'RETRY' });
        result.assigned += pass.assigned;
        result.failed += pass.failed;
        result.skipped += pass.skipped;
      } catch (error) {
        // The token as a whole is refused (terms, credentials) or the pass was aborted: its devices
        // stay due; the sync surfaces the token's state.
        if (!isAppleDepError(error)) throw error;
        this.logger.warn({ tokenId, error }, 'assignment retry stopped for a token');
        continue;
      }
      // Still due after the pass: nothing was sent for them (no profile to give).
      await this.dataSource.query(
        `UPDATE devices SET next_assignment_retry_at = NULL, updated_at = $3
          WHERE token_id = $1 AND serial_number = ANY($2::text[]) AND next_assignment_retry_at <= $3`,
        [tokenId, serials, this.clock.now()],
      );
    }
    return result;
  }
}
