/**
 * The assignment history's reads and its retention rule (ASSIGNMENT_HISTORY_RETENTION_DAYS, applied
 * by the prune job in assignment-history.jobs.ts). Attempts are written by the assignment service
 * (assignment-history.store.ts), in step with the device rows.
 */
import type { DataSource, Repository } from 'typeorm';
import { DAY_MS, type Clock } from '../clock';
import { AssignmentAttemptEntity } from './assignment-attempt.entity';
import { pruneAttempts } from './assignment-history.store';

export class AssignmentHistoryService {
  readonly attempts: Repository<AssignmentAttemptEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly retentionDays: number,
  ) {
    this.attempts = dataSource.getRepository(AssignmentAttemptEntity);
  }

  /** Deletes attempts older than the retention; returns how many. */
  prune(signal?: AbortSignal): Promise<number> {
    return pruneAttempts(this.dataSource, new Date(this.clock.now().getTime() - this.retentionDays * DAY_MS), signal);
  }
}
