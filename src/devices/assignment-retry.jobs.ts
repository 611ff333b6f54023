/**
 * The assignment retry on the job runner (pg-boss): `assignment-retry` runs every minute (pg-boss
 * cron: one job per tick for the whole fleet, one pass at a time), so a THROTTLED or FAILED device
 * is retried within a minute of the end of its cooldown. Time comes from the injected clock.
 */
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { AssignmentRetryService } from './assignment-retry.service';

export const ASSIGNMENT_RETRY_QUEUE = 'assignment-retry';
export const ASSIGNMENT_RETRY_CRON = '* * * * *';

export async function startAssignmentRetryBackground(deps: {
  jobs: JobRunner;
  retries: AssignmentRetryService;
  logger: Logger;
  schedule?: boolean;
}): Promise<{ retryNow(): Promise<void> }> {
  const { jobs, retries, logger } = deps;
  await jobs.defineQueue(ASSIGNMENT_RETRY_QUEUE, { policy: 'short', retryLimit: 0, expireInSeconds: 10 * 60 });
  await jobs.work(
    ASSIGNMENT_RETRY_QUEUE,
    async (job) => {
      const pass = await retries.retryDue(job.signal);
      if (pass.due > 0) logger.info(pass, 'assignment retry pass');
      return pass;
    },
    { exclusive: { key: () => 'all', whenBusy: 'skip' } },
  );
  await jobs.start();
  if (deps.schedule !== false) await jobs.schedule(ASSIGNMENT_RETRY_QUEUE, ASSIGNMENT_RETRY_CRON, {}, { singletonKey: 'cron' });
  return {
    async retryNow() {
      await jobs.send(ASSIGNMENT_RETRY_QUEUE, {}, { singletonKey: 'now' });
    },
  };
}
