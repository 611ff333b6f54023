/**
 * The sync runs' pg-boss queue: its name and retry settings, how a run's job is sent, and the
 * per-token key that keeps one sync per token running across every instance (src/jobs).
 */
import type { JobHandler, JobRunner, KeyIfFree } from '../jobs';
import type { SqlRunner } from '../database/sql-runner';
import type { SyncRunEntity } from './sync-run.entity';
import type { SyncRunStore } from './sync-run.store';

export const SYNC_QUEUE = 'dep-sync';
/** Lock namespace of the per-token exclusivity (the workers' and the crash recovery's). */
export const SYNC_LOCK_SCOPE = 'dep-token-sync';

/**
 * Attempts of a run's job after the first. A job fails when its run is handed back (an instance
 * stopping, its lock connection lost) or the database failed under it; failures of the run itself
 * are recorded on the run and complete the job. 20 outlasts a rolling restart of a whole fleet; past it, the scheduler
 * gives the still-QUEUED run a new job.
 */
export const SYNC_JOB_RETRY_LIMIT = 20;
/** A handed-back run is picked up again (on any instance) after this. */
export const SYNC_JOB_RETRY_DELAY_S = 2;
/** A job whose token is running elsewhere (a late duplicate) is sent again to start after this. */
export const SYNC_BUSY_RETRY_AFTER_S = 2;
/** The job outlives its run's deadline by this much, so the run's watchdog, not pg-boss's expiry, normally ends a run that overruns. */
export const SYNC_JOB_EXPIRY_MARGIN_S = 120;
/** pg-boss refuses expirations of 24 h or more. */
const MAX_JOB_EXPIRY_S = 23 * 3600;

export interface SyncJobData {
  runId: string;
  tokenId: string;
}

export interface SyncWorkerSettings {
  syncTimeoutS: number;
  concurrency: number;
  pollingIntervalSeconds: number;
}

export class SyncQueue {
  constructor(
    private readonly jobs: JobRunner,
    private readonly runs: SyncRunStore,
  ) {}

  /** Declares the queue and this instance's workers (they start with the job runner). */
  async declare(handler: JobHandler<SyncJobData>, settings: SyncWorkerSettings): Promise<void> {
    await this.jobs.defineQueue(SYNC_QUEUE, {
      policy: 'standard',
      retryLimit: SYNC_JOB_RETRY_LIMIT,
      retryDelaySeconds: SYNC_JOB_RETRY_DELAY_S,
      expireInSeconds: Math.min(MAX_JOB_EXPIRY_S, settings.syncTimeoutS + SYNC_JOB_EXPIRY_MARGIN_S),
    });
    await this.jobs.work<SyncJobData>(SYNC_QUEUE, handler, {
      concurrency: settings.concurrency,
      pollingIntervalSeconds: settings.pollingIntervalSeconds,
      exclusive: { key: (d) => d.tokenId, scope: SYNC_LOCK_SCOPE, whenBusy: { retryAfterSeconds: SYNC_BUSY_RETRY_AFTER_S } },
    });
  }

  /** Sends the run's job in the caller's transaction (it exists if and only if that commits) and records its id on the run. */
  async send(m: SqlRunner, run: SyncRunEntity): Promise<void> {
    const sent = await this.jobs.send<SyncJobData>(SYNC_QUEUE, { runId: run.id, tokenId: run.tokenId }, { executor: m });
    run.jobId = sent.jobId;
    await this.runs.setJob(m, run.id, sent.jobId);
  }

  /** After the commit of a transaction that sent jobs: this instance's idle workers look now. */
  wake(): void {
    this.jobs.wake(SYNC_QUEUE);
  }

  /** A run's job with its state, or null when pg-boss no longer has it. */
  findJob(jobId: string) {
    return this.jobs.getJob<SyncJobData>(SYNC_QUEUE, jobId);
  }

  /** Runs `fn` holding the token's sync key if no worker anywhere holds it (no run of the token can start meanwhile). */
  whileTokenIdle<R>(tokenId: string, fn: () => Promise<R>): Promise<KeyIfFree<R>> {
    return this.jobs.withKeyIfFree(SYNC_LOCK_SCOPE, tokenId, fn);
  }
}
