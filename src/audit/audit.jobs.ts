/**
 * The retention rule on the job runner (pg-boss): `audit-prune` deletes events older than
 * AUDIT_RETENTION_DAYS once a day (pg-boss cron: one job per tick for the whole fleet, one pass at
 * a time), reading the time from the injected clock.
 */
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { AuditService } from './audit.service';

export const AUDIT_PRUNE_QUEUE = 'audit-prune';
export const AUDIT_PRUNE_CRON = '23 3 * * *';

export interface AuditBackgroundDeps {
  jobs: JobRunner;
  audit: AuditService;
  logger: Logger;
  /** false: the queue and its worker only, no cron schedule. Default true. */
  schedule?: boolean;
}

export interface AuditBackground {
  /** Sends a one-off prune job (as the cron would). */
  pruneNow(): Promise<void>;
}

export async function startAuditBackground(deps: AuditBackgroundDeps): Promise<AuditBackground> {
  const { jobs, audit, logger } = deps;
  await jobs.defineQueue(AUDIT_PRUNE_QUEUE, { policy: 'short', retryLimit: 2, expireInSeconds: 60 * 60 });
  await jobs.work(
    AUDIT_PRUNE_QUEUE,
    async (job) => {
      const deleted = await audit.prune(job.signal);
      if (deleted > 0) logger.info({ deleted }, 'audit events past their retention pruned');
      return { deleted };
    },
    { exclusive: { key: () => 'all', whenBusy: 'skip' } },
  );
  await jobs.start();
  if (deps.schedule !== false) await jobs.schedule(AUDIT_PRUNE_QUEUE, AUDIT_PRUNE_CRON, {}, { singletonKey: 'cron' });
  return {
    async pruneNow() {
      await jobs.send(AUDIT_PRUNE_QUEUE, {}, { singletonKey: 'now' });
    },
  };
}
