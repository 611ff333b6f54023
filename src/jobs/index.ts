/**
 * Background jobs on pg-boss 10. How the sync engine gets "one sync per token at a time across
 * every instance":
 *
 *   const jobs = createJobRunner({ connectionString, logger, clock });
 *   await jobs.defineQueue('dep-sync', { policy: 'short', retryLimit: 2, expireInSeconds: config.syncTimeoutS + 60 });
 *   await jobs.work<{ runId: string; tokenId: string }>('dep-sync', (job) => sync.run(job.data.runId, job.signal), {
 *     concurrency: 4,
 *     exclusive: { key: (d) => d.tokenId, onBusy: (job) => sync.markCoalesced(job.data.runId) },
 *   });
 *   await jobs.start();
 *   const sent = await jobs.send('dep-sync', { runId, tokenId }, { singletonKey: tokenId });
 *   // sent.queued === false: a sync for this token is already waiting (reason 'duplicate').
 *
 * `short` keeps at most one waiting job per token; the advisory lock in `exclusive` keeps at most
 * one running, on any instance, and skips (never waits for) a busy token.
 */
export { createJobRunner, JobRunner } from './job-runner';
export type {
  ExclusiveOptions,
  JobContext,
  JobHandler,
  JobRunnerOptions,
  QueueOptions,
  QueuePolicy,
  SendOptions,
  SendResult,
  StopOptions,
  WhenBusy,
  WorkOptions,
} from './job-runner';
export { advisoryLockId } from './key-lock';
export * from './jobs.errors';
