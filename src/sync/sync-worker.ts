/**
 * The job that executes a sync run, on whichever instance's worker takes it (under the token's
 * lock, held by the job runner for the whole execution).
 *
 * - A worker only starts a run that is still QUEUED (QUEUED -> RUNNING is one conditional UPDATE),
 *   so a duplicate or late job is a no-op.
 * - The deadline (SYNC_TIMEOUT_S on the injected clock, checked by a watchdog) aborts every
 *   outstanding Apple call: the run ends TIMED_OUT, its pages are kept.
 * - A stopping instance hands its runs back (RUNNING -> QUEUED, the job fails and pg-boss retries
 *   it on any instance): they resume from the last committed page.
 * - A failed delta sync flags the token for a full sync and queues one at once (unless Apple is
 *   rate limiting, or refused the token itself: then a person must act first).
 */
import { SECOND_MS } from '../clock';
import { ErrorCode } from '../errors/error-codes';
import { JobExpiredError, JobKeyLockLostError, JobRunnerStoppingError, type JobContext } from '../jobs';
import type { SyncEngine } from './sync-engine';
import { SyncHandedBackError, SyncTimeoutError, describeFailure, type RunFailure } from './sync.errors';
import type { SyncParts } from './sync-parts';
import type { SyncJobData } from './sync-queue';
import type { SyncRequestService } from './sync-request.service';

export interface SyncWorkerDeps extends SyncParts {
  engine: SyncEngine;
  requests: SyncRequestService;
  /** Whether this instance is stopping (no new run starts; no follow-up is queued). */
  stopping: () => boolean;
  /** How often (real time) a running sync compares the clock with its deadline. */
  watchdogIntervalMs: number;
  /** How long `handBackAll` waits for running syncs to hand back. */
  stopTimeoutMs: number;
}

/** Failures of a full fetch that make resuming it pointless (see recordFailure). */
const RESTART_FETCH_AFTER: ReadonlySet<ErrorCode> = new Set([ErrorCode.SYNC_FAILED, ErrorCode.APPLE_REQUEST_FAILED]);

export class SyncWorker {
  /** Runs executing on this instance, by run id. */
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: SyncWorkerDeps) {}

  /** The job handler: executes one run under its token's lock (held by the job runner). */
  async execute(job: JobContext<SyncJobData>): Promise<unknown> {
    const { clock, dataSource, intervals, logger, engine, runs } = this.deps;
    if (this.deps.stopping()) throw new SyncHandedBackError();
    const deadline = new Date(clock.now().getTime() + intervals.syncTimeoutS * SECOND_MS);
    const run = await dataSource.transaction((m) => runs.start(m, job.data.runId, deadline));
    if (!run) return { skipped: 'not-queued' };

    const controller = new AbortController();
    const forward = () => controller.abort(job.signal.reason);
    if (job.signal.aborted) forward();
    else job.signal.addEventListener('abort', forward, { once: true });
    const watchdog = setInterval(() => {
      if (clock.now().getTime() >= deadline.getTime()) controller.abort(new SyncTimeoutError(intervals.syncTimeoutS));
    }, this.deps.watchdogIntervalMs);
    let settle!: () => void;
    this.active.set(run.id, { controller, done: new Promise<void>((resolve) => (settle = resolve)) });
    const log = logger.child({ runId: run.id, tokenId: run.tokenId });
    log.info({ kind: run.kind, trigger: run.trigger, attempt: run.attempts }, 'sync started');
    try {
      const ran = await engine.run(run, controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      const done = await dataSource.transaction(async (m) => {
        await engine.recordSuccess(m, run.tokenId);
        return runs.finish(m, run.id, 'SUCCEEDED');
      });
      log.info({ kind: ran.kind, pages: done?.pagesFetched, added: done?.devicesAdded, modified: done?.devicesModified, deleted: done?.devicesDeleted }, 'sync succeeded');
      return { status: 'SUCCEEDED' };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof SyncHandedBackError || reason instanceof JobRunnerStoppingError || reason instanceof JobKeyLockLostError) {
        await dataSource.transaction((m) => runs.handBack(m, run.id)).catch((err) => log.error({ err }, 'could not hand a sync run back'));
        log.info({ reason: (reason as Error).name }, 'sync handed back to the queue');
        throw reason; // the job fails; pg-boss retries it, and the run resumes from its last page
      }
      const timedOut = reason instanceof SyncTimeoutError || reason instanceof JobExpiredError;
      const failure = describeFailure(timedOut ? new SyncTimeoutError(intervals.syncTimeoutS) : error, intervals.syncTimeoutS);
      if (failure.code === ErrorCode.SYNC_FAILED) log.error({ err: error }, 'sync failed unexpectedly');
      else log.warn({ code: failure.code, err: error }, 'sync failed');
      await this.recordFailure(run.id, failure);
      return { status: failure.status, code: failure.code };
    } finally {
      clearInterval(watchdog);
      job.signal.removeEventListener('abort', forward);
      this.active.delete(run.id);
      settle();
    }
  }

  private async recordFailure(runId: string, failure: RunFailure): Promise<void> {
    const { tokenStates } = this.deps;
    await this.deps.dataSource.transaction(async (m) => {
      const ended = await this.deps.runs.finish(m, runId, failure.status, { code: failure.code, message: failure.message });
      if (!ended) return;
      await tokenStates.recordFailure(m, ended.tokenId, { message: failure.message, tokenRefusal: failure.tokenRefusal, at: this.deps.clock.now() });
      // A full fetch that failed on its own content (a page depgate could not store, a request
      // Apple refused) starts over next time: resuming its cursor would meet the same page again,
      // sync after sync. One that failed because Apple was unavailable, slow or refused the token
      // keeps its pages and resumes (as does a timed-out one).
      if (ended.kind === 'FULL' && failure.status === 'FAILED' && RESTART_FETCH_AFTER.has(failure.code)) {
        await tokenStates.abandonFetch(m, ended.tokenId);
      }
      // A failed delta: the next sync is a full one, queued at once unless a person must act first
      // (the token's refusal) or Apple asked us to slow down (the schedule will come back).
      if (ended.kind === 'DELTA' && failure.status === 'FAILED' && !failure.tokenRefusal) {
        await tokenStates.requireFullSync(m, ended.tokenId);
        if (failure.code !== ErrorCode.APPLE_RATE_LIMITED && !this.deps.stopping()) {
          await this.deps.requests.enqueue(m, { tokenId: ended.tokenId, full: true, trigger: 'SCHEDULED', fullSyncReason: 'AFTER_FAILED_DELTA' }, 'follow-up');
        }
      }
    });
    this.deps.queue.wake();
  }

  /** Whether this instance is executing the run. */
  isRunningHere(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Runs executing on this instance. */
  get runningHere(): number {
    return this.active.size;
  }

  /**
   * Aborts the runs executing here so they go back to the queue, and waits (up to stopTimeoutMs)
   * until they have.
   */
  async handBackAll(): Promise<void> {
    const running = [...this.active.values()];
    for (const { controller } of running) controller.abort(new SyncHandedBackError());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((r) => r.done)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.deps.stopTimeoutMs))),
    ]);
    clearTimeout(timer);
  }
}
