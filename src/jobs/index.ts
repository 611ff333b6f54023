/**
 * Background jobs on pg-boss 10. How the sync feature gets "one sync per token at a time across
 * every instance" (src/sync/sync-queue.ts):
 *
 *   const jobs = createJobRunner({ connectionString, logger, clock });
 *   await jobs.defineQueue('dep-sync', { retryLimit: 20, retryDelaySeconds: 2, expireInSeconds: syncTimeoutS + 120 });
 *   await jobs.work<{ runId: string; tokenId: string }>('dep-sync', (job) => worker.execute(job), {
 *     concurrency: 4,
 *     exclusive: { key: (d) => d.tokenId, scope: 'dep-token-sync', whenBusy: { retryAfterSeconds: 2 } },
 *   });
 *   await jobs.start();
 *   await jobs.send('dep-sync', { runId, tokenId }, { executor: transaction });
 *   // Is a token's sync running anywhere? Hold its key while acting on the answer:
 *   const checked = await jobs.withKeyIfFree('dep-token-sync', tokenId, () => recover(tokenId));
 *   // checked.free === false: a worker on some instance is running it.
 *
 * The advisory lock in `exclusive` keeps at most one job per key running, on any instance, and
 * skips or defers (never waits for) a busy key; `withKeyIfFree` asks the same lock.
 */
export { createJobRunner, JobRunner } from './job-runner';
export type {
  ExclusiveOptions,
  JobContext,
  JobHandler,
  JobRunnerOptions,
  KeyIfFree,
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
