/**
 * The sync feature of one instance, put together and started/stopped as one: requests
 * (sync-request.service.ts), the job that executes runs (sync-worker.ts), the scheduler and crash
 * recovery (sync-scheduler.ts) and the API's reads (sync-reads.ts), over the run store, the token
 * sync-state store and the queue.
 *
 * One sync per token at a time, across every instance, holds at three levels:
 * - the database: a partial unique index allows one QUEUED or RUNNING run per token, and every
 *   request takes the token row lock, so two instances cannot both queue one;
 * - pg-boss: the run's job is inserted in the transaction that creates the run (it exists if and
 *   only if the run does), on a queue whose workers are exclusive per token (an advisory lock held
 *   for the whole execution, see src/jobs);
 * - the run itself: a worker only starts a run that is still QUEUED, so a duplicate or late job
 *   is a no-op.
 */
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import type { DepTokenService } from '../tokens/token.service';
import { SyncEngine, type AutoAssigner, type PageObserver } from './sync-engine';
import type { SyncParts } from './sync-parts';
import { SyncQueue } from './sync-queue';
import { SyncReads } from './sync-reads';
import { SyncRequestService } from './sync-request.service';
import { SyncRunStore, type SyncEventPublisher } from './sync-run.store';
import { SyncScheduler } from './sync-scheduler';
import { SyncWorker } from './sync-worker';
import type { SyncIntervals } from './sync.rules';
import { TokenSyncStateStore } from './token-sync-state.store';

export interface SyncServiceOptions {
  /** How often (real time) each instance looks for due scheduled syncs and dead runs. Default 60 s; 0: only at start and when tick() is called. */
  schedulerIntervalMs?: number;
  /** How often (real time) a running sync compares the clock with its deadline. Default 250 ms. */
  watchdogIntervalMs?: number;
  /** Runs this instance executes at once (different tokens). Default 4. */
  concurrency?: number;
  /** Worker poll interval in seconds (pg-boss minimum 0.5). Default 1. */
  pollingIntervalSeconds?: number;
  /** How long stop() waits for running syncs to hand back. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface SyncServiceDeps {
  dataSource: DataSource;
  clock: Clock;
  logger: Logger;
  intervals: SyncIntervals;
  depClients: DepClientFactory;
  /** Resolved at start (the token service may be built after this one). */
  depTokens: () => DepTokenService;
  jobs: JobRunner;
  events?: SyncEventPublisher;
  /** Resolved late: the assignment service may be wired after this one. */
  assignments?: () => AutoAssigner | undefined;
  /** Resolved late: told of each page (webhooks). */
  pageObserver?: () => PageObserver | undefined;
  options?: SyncServiceOptions;
}

export class SyncService {
  /** `syncDepToken` and the sync that follows an upload. */
  readonly requests: SyncRequestService;
  /** Loader and subscription reads. */
  readonly reads: SyncReads;
  private readonly worker: SyncWorker;
  private readonly scheduler: SyncScheduler;
  private readonly queue: SyncQueue;
  private readonly options: Required<SyncServiceOptions>;
  private started = false;
  private stopping = false;

  constructor(private readonly deps: SyncServiceDeps) {
    const { dataSource, clock, logger, intervals } = deps;
    this.options = {
      schedulerIntervalMs: deps.options?.schedulerIntervalMs ?? 60_000,
      watchdogIntervalMs: deps.options?.watchdogIntervalMs ?? 250,
      concurrency: deps.options?.concurrency ?? 4,
      pollingIntervalSeconds: deps.options?.pollingIntervalSeconds ?? 1,
      stopTimeoutMs: deps.options?.stopTimeoutMs ?? 10_000,
    };
    const runs = new SyncRunStore(clock, deps.events);
    const tokenStates = new TokenSyncStateStore();
    const queue = (this.queue = new SyncQueue(deps.jobs, runs));
    const stopping = () => this.stopping;
    const engine = new SyncEngine({ dataSource, clock, logger, clients: deps.depClients, store: runs, tokenStates, assignments: deps.assignments ?? (() => undefined), pageObserver: deps.pageObserver });
    this.reads = new SyncReads(dataSource, tokenStates);
    const shared: SyncParts = { dataSource, clock, logger, intervals, queue, runs, tokenStates };
    const requests = (this.requests = new SyncRequestService({ ...shared, reads: this.reads, accepting: () => this.started && !this.stopping }));
    const { watchdogIntervalMs, stopTimeoutMs, schedulerIntervalMs } = this.options;
    this.worker = new SyncWorker({ ...shared, engine, requests, stopping, watchdogIntervalMs, stopTimeoutMs });
    this.scheduler = new SyncScheduler({ ...shared, requests, worker: this.worker, stopping, intervalMs: schedulerIntervalMs });
  }

  /** Declares the queue and its workers, starts the job runner, recovers, starts the scheduler. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const depTokens = this.deps.depTokens();
    // The first sync of a token follows its upload (full, not counted against the manual limit).
    depTokens.onUploaded(async (token, cause) => {
      try {
        await this.requests.requestSync({ tokenId: token.id, full: true, trigger: 'TOKEN_UPLOAD', requestId: cause?.requestId });
      } catch (error) {
        this.deps.logger.error({ err: error, tokenId: token.id }, 'could not queue the first sync of an uploaded token');
      }
    });
    // A token cannot be deleted under a running sync.
    depTokens.registerDependents({
      describe: 'sync run(s) in progress',
      count: async (manager, tokenId) =>
        Number(
          (await manager.query(`SELECT count(*)::int AS n FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [tokenId]))[0]
            .n,
        ),
    });
    await this.queue.declare((job) => this.worker.execute(job), {
      syncTimeoutS: this.deps.intervals.syncTimeoutS,
      concurrency: this.options.concurrency,
      pollingIntervalSeconds: this.options.pollingIntervalSeconds,
    });
    await this.deps.jobs.start();
    await this.scheduler.start();
  }

  /**
   * Stops the scheduler and hands the runs executing here back to the queue (they resume from
   * their last page on another instance, or here after a restart). The job runner is stopped by
   * its owner afterwards.
   */
  async stop(): Promise<void> {
    if (this.stopping || !this.started) return;
    this.stopping = true;
    await this.scheduler.stop();
    await this.worker.handBackAll();
  }

  /** One scheduler pass (recovery, lost jobs, due syncs); tests call it after moving the clock. */
  tick(): Promise<void> {
    return this.scheduler.tick();
  }

  get intervals(): SyncIntervals {
    return this.deps.intervals;
  }

  /** Runs executing on this instance (tests, readiness). */
  get runningHere(): number {
    return this.worker.runningHere;
  }
}
