/**
 * The history's retention on the job runner (pg-boss): `assignment-history-prune` deletes attempts
 * older than ASSIGNMENT_HISTORY_RETENTION_DAYS once a day (pg-boss cron: one job per tick for the
 * whole fleet, one pass at a time), reading the time from the injected clock.
 */
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { AssignmentHistoryService } from './assignment-history.service';

export const ASSIGNMENT_HISTORY_PRUNE_QUEUE = 'assignment-history-prune';
export const ASSIGNMENT_HISTORY_PRUNE_CRON = '41 3 * * *';

export async function startAssignmentHistoryBackground(deps: {
  jobs: JobRunner;
  history: AssignmentHistoryService;
  logger: Logger;
  schedule?: boolean;
}): Promise<{ pruneNow(): Promise<void> }> {
  const { jobs, history, logger } = deps;
  await jobs.defineQueue(ASSIGNMENT_HISTORY_PRUNE_QUEUE, { policy: 'short', retryLimit: 2, expireInSeconds: 60 * 60 });
  await jobs.work(
    ASSIGNMENT_HISTORY_PRUNE_QUEUE,
    async (job) => {
      const deleted = await history.prune(job.signal);
      if (deleted > 0) logger.info({ deleted }, 'assignment attempts past their retention pruned');
      return { deleted };
    },
    { exclusive: { key: () => 'all', whenBusy: 'skip' } },
  );
  await jobs.start();
  if (deps.schedule !== false) await jobs.schedule(ASSIGNMENT_HISTORY_PRUNE_QUEUE, ASSIGNMENT_HISTORY_PRUNE_CRON, {}, { singletonKey: 'cron' });
  return {
    async pruneNow() {
      await jobs.send(ASSIGNMENT_HISTORY_PRUNE_QUEUE, {}, { singletonKey: 'now' });
    },
  };
}
