/**
 * Scheduling and rules of syncs: requests (manual, scheduled, after an upload, follow-ups), the
 * job that executes a run, timeouts, shutdown hand-back and crash recovery.
 *
 * One sync per token at a time, across every instance, holds at three levels:
 * - the database: a partial unique index allows one QUEUED or RUNNING run per token, and every
 *   request takes the token row lock, so two instances cannot both queue one;
 * - pg-boss: the run's job is inserted in the transaction that creates the run (it exists if and
 *   only if the run does), on a queue whose workers are exclusive per token (an advisory lock held
 *   for the whole execution, see src/jobs);
 * - the run itself: a worker only starts a run that is still QUEUED (QUEUED -> RUNNING is one
 *   conditional UPDATE), so a duplicate or late job is a no-op.
 *
 * Failures and recovery:
 * - the deadline (SYNC_TIMEOUT_S on the injected clock, checked by a watchdog) aborts every
 *   outstanding Apple call: the run ends TIMED_OUT, its pages are kept;
 * - a stopping instance hands its runs back (RUNNING -> QUEUED, the job fails and pg-boss retries
 *   it on any instance): they resume from the last committed page;
 * - a RUNNING run whose token lock nobody holds belongs to an instance that died (kill -9): the
 *   next tick on any instance (one runs at start) marks it FAILED (SYNC_INTERRUPTED) and queues a
 *   run that continues from the saved cursors;
 * - a failed delta sync flags the token for a full sync and queues one at once (unless Apple is
 *   rate limiting, or refused the token itself: then a person must act first).
 */
import { Pool } from 'pg';
import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import { SECOND_MS, type Clock } from '../clock';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { DomainError, notFound } from '../graphql/domain-error';
import { ErrorCode } from '../graphql/error-codes';
import { JobExpiredError, JobKeyLockLostError, JobRunnerStoppingError, type JobContext, type JobRunner } from '../jobs';
import { tryAcquireKeyLock } from '../jobs/key-lock';
import type { Logger } from '../logger';
import type { DepClientFactory } from '../tokens/dep-client.factory';
import type { DepTokenService } from '../tokens/token.service';
import type { SqlRunner } from './device-ingest';
import { SyncEngine, loadSyncState, type AutoAssigner } from './sync-engine';
import { SyncHandedBackError, SyncTimeoutError, describeFailure, type RunFailure } from './sync.errors';
import { SyncRunEntity, type FullSyncReasonName, type SyncRunTriggerName } from './sync-run.entity';
import { SyncRunStore, type SyncEventPublisher } from './sync-run.store';
import {
  fullSyncRequired,
  nextFullSyncAt,
  nextManualSyncAt,
  scheduledSyncDue,
  secondsUntil,
  type SyncIntervals,
  type TokenSyncState,
} from './sync.rules';

export const SYNC_QUEUE = 'dep-sync';
/** Lock namespace of the per-token exclusivity (the workers' and the orphan sweep's). */
export const SYNC_LOCK_SCOPE = 'dep-token-sync';
/** pg-boss refuses expirations of 24 h or more. */
const MAX_JOB_EXPIRY_S = 23 * 3600;

export interface SyncJobData {
  runId: string;
  tokenId: string;
}

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
  connectionString: string;
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
  options?: SyncServiceOptions;
}

export interface SyncRequest {
  tokenId: string;
  full: boolean;
  trigger: SyncRunTriggerName;
  requestedByApiKeyId?: string | null;
  /** Why a follow-up is full (recorded on the run). */
  fullSyncReason?: FullSyncReasonName;
}

/** How a request that the rules refuse is answered. */
type Mode = 'refuse' | 'if-due' | 'follow-up';

export class SyncService {
  readonly store: SyncRunStore;
  private readonly engine: SyncEngine;
  private readonly options: Required<SyncServiceOptions>;
  private lockPool?: Pool;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private started = false;
  private stopping = false;
  /** Runs executing on this instance, by run id. */
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** QUEUED runs whose job had ended at the previous tick (resent when still so at the next). */
  private staleSuspects = new Map<string, string | null>();

  constructor(private readonly deps: SyncServiceDeps) {
    this.options = {
      schedulerIntervalMs: deps.options?.schedulerIntervalMs ?? 60_000,
      watchdogIntervalMs: deps.options?.watchdogIntervalMs ?? 250,
      concurrency: deps.options?.concurrency ?? 4,
      pollingIntervalSeconds: deps.options?.pollingIntervalSeconds ?? 1,
      stopTimeoutMs: deps.options?.stopTimeoutMs ?? 10_000,
    };
    this.store = new SyncRunStore(deps.clock, deps.events);
    this.engine = new SyncEngine({
      dataSource: deps.dataSource,
      clock: deps.clock,
      logger: deps.logger,
      clients: deps.depClients,
      store: this.store,
      assignments: deps.assignments ?? (() => undefined),
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Declares the queue and its workers, starts the job runner, recovers, starts the scheduler. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { jobs, intervals } = this.deps;
    const depTokens = this.deps.depTokens();
    // The first sync of a token follows its upload (full, not counted against the manual limit).
    depTokens.onUploaded(async (token) => {
      try {
        await this.requestSync({ tokenId: token.id, full: true, trigger: 'TOKEN_UPLOAD' });
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
    await jobs.defineQueue(SYNC_QUEUE, {
      policy: 'standard',
      retryLimit: 20,
      retryDelaySeconds: 2,
      expireInSeconds: Math.min(MAX_JOB_EXPIRY_S, intervals.syncTimeoutS + 120),
    });
    await jobs.work<SyncJobData>(SYNC_QUEUE, (job) => this.execute(job), {
      concurrency: this.options.concurrency,
      pollingIntervalSeconds: this.options.pollingIntervalSeconds,
      exclusive: { key: (d) => d.tokenId, scope: SYNC_LOCK_SCOPE, whenBusy: { retryAfterSeconds: 2 } },
    });
    await jobs.start();
    this.lockPool = new Pool({ connectionString: this.deps.connectionString, max: 2, application_name: 'depgate-sync-sweep' });
    this.lockPool.on('error', (err) => this.deps.logger.warn({ err: { message: err.message } }, 'sync sweep pool error'));
    await this.tick();
    if (this.options.schedulerIntervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), this.options.schedulerIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Stops the scheduler and hands the runs executing here back to the queue (they resume from
   * their last page on another instance, or here after a restart). The job runner is stopped by
   * its owner afterwards.
   */
  async stop(): Promise<void> {
    if (this.stopping || !this.started) return;
    this.stopping = true;
    clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    const running = [...this.active.values()];
    for (const { controller } of running) controller.abort(new SyncHandedBackError());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((r) => r.done)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.stopTimeoutMs))),
    ]);
    clearTimeout(timer);
    await this.lockPool?.end().catch(() => undefined);
  }

  // ---------------------------------------------------------------- requests

  /** `syncDepToken`: a visible token, the rules, then a queued run. */
  async requestManualSync(tokenId: string, full: boolean, scope: AccessScope, apiKeyId: string | null): Promise<SyncRunEntity> {
    if (!(await this.isTokenVisible(tokenId, scope))) throw notFound('DEP token');
    return this.requestSync({ tokenId, full, trigger: 'MANUAL', requestedByApiKeyId: apiKeyId });
  }

  /** Queues a run or throws the refusal (SYNC_IN_PROGRESS, SYNC_RATE_LIMITED, FULL_SYNC_RATE_LIMITED, TOKEN_EXPIRED). */
  async requestSync(request: SyncRequest): Promise<SyncRunEntity> {
    if (!this.started || this.stopping) throw new Error('The sync engine is not running on this instance');
    try {
      const run = await this.deps.dataSource.transaction((m) => this.enqueue(m, request, 'refuse'));
      this.deps.jobs.wake(SYNC_QUEUE);
      return run!;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw this.inProgress(null);
      throw error;
    }
  }

  /**
   * In the caller's transaction: locks the token, applies the rules, inserts the run, its job and
   * its QUEUED event. Returns null when `mode` says to skip instead of refusing.
   */
  private async enqueue(m: EntityManager, request: SyncRequest, mode: Mode): Promise<SyncRunEntity | null> {
    const { clock, intervals } = this.deps;
    const state = await loadSyncState(m, request.tokenId, true);
    if (!state) {
      if (mode === 'refuse') throw notFound('DEP token');
      return null;
    }
    const now = clock.now();
    const [active] = await m.query(`SELECT id FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [request.tokenId]);
    if (active) {
      if (mode === 'refuse') throw this.inProgress(active.id);
      return null;
    }
    if (state.expiresAt.getTime() <= now.getTime()) {
      if (mode === 'refuse') {
        throw new DomainError(ErrorCode.TOKEN_EXPIRED, `This token expired on ${state.expiresAt.toISOString()}: renew it before syncing`, {
          expiredAt: state.expiresAt.toISOString(),
        });
      }
      return null;
    }
    if (mode === 'if-due' && !scheduledSyncDue(state, intervals, now)) return null;
    if (request.trigger === 'MANUAL') {
      const next = nextManualSyncAt(state, intervals, now);
      if (next) {
        throw new DomainError(
          ErrorCode.SYNC_RATE_LIMITED,
          `A manual sync may be requested once every ${Math.round(intervals.manualSyncMinIntervalS / 60)} minutes; the next one from ${next.toISOString()}`,
          { retryAfterSeconds: secondsUntil(next, now), nextManualSyncAt: next.toISOString() },
        );
      }
    }
    const required = fullSyncRequired(state);
    if (request.full && !required && mode === 'refuse') {
      const next = nextFullSyncAt(state, intervals, now);
      if (next) {
        throw new DomainError(
          ErrorCode.FULL_SYNC_RATE_LIMITED,
          `A full sync may run once every ${Math.round(intervals.fullSyncMinIntervalS / 86400)} days; the next one from ${next.toISOString()} (a delta sync is allowed)`,
          { retryAfterSeconds: secondsUntil(next, now), nextFullSyncAt: next.toISOString() },
        );
      }
    }
    const full = request.full || required;
    const run = await this.store.insert(m, {
      tokenId: request.tokenId,
      kind: full ? 'FULL' : 'DELTA',
      trigger: request.trigger,
      fullSyncReason: full ? fullReason(request, state) : null,
      requestedByApiKeyId: request.requestedByApiKeyId,
    });
    await m.query(
      `UPDATE dep_tokens SET last_sync_triggered_at = $2, last_manual_sync_at = CASE WHEN $3 THEN $2 ELSE last_manual_sync_at END WHERE id = $1`,
      [request.tokenId, now, request.trigger === 'MANUAL'],
    );
    await this.sendJob(m, run);
    await this.store.announce(m, run);
    this.deps.logger.info({ runId: run.id, tokenId: run.tokenId, kind: run.kind, trigger: run.trigger }, 'sync queued');
    return run;
  }

  private async sendJob(m: SqlRunner, run: SyncRunEntity): Promise<void> {
    const sent = await this.deps.jobs.send<SyncJobData>(SYNC_QUEUE, { runId: run.id, tokenId: run.tokenId }, { executor: m });
    run.jobId = sent.jobId;
    await this.store.setJob(m, run.id, sent.jobId);
  }

  private inProgress(runId: string | null): DomainError {
    return new DomainError(
      ErrorCode.SYNC_IN_PROGRESS,
      'A sync of this token is already queued or running; wait for it to finish',
      // A row id: the GraphQL boundary turns it into the run's global id (error-extension-ids.ts).
      runId ? { syncRunId: runId } : {},
    );
  }

  // ---------------------------------------------------------------- execution

  /** The job handler: executes one run under its token's lock (held by the job runner). */
  async execute(job: JobContext<SyncJobData>): Promise<unknown> {
    const { clock, dataSource, intervals, logger } = this.deps;
    if (this.stopping) throw new SyncHandedBackError();
    const deadline = new Date(clock.now().getTime() + intervals.syncTimeoutS * SECOND_MS);
    const run = await dataSource.transaction((m) => this.store.start(m, job.data.runId, deadline));
    if (!run) return { skipped: 'not-queued' };

    const controller = new AbortController();
    const forward = () => controller.abort(job.signal.reason);
    if (job.signal.aborted) forward();
    else job.signal.addEventListener('abort', forward, { once: true });
    const watchdog = setInterval(() => {
      if (clock.now().getTime() >= deadline.getTime()) controller.abort(new SyncTimeoutError(intervals.syncTimeoutS));
    }, this.options.watchdogIntervalMs);
    let settle!: () => void;
    this.active.set(run.id, { controller, done: new Promise<void>((resolve) => (settle = resolve)) });
    const log = logger.child({ runId: run.id, tokenId: run.tokenId });
    log.info({ kind: run.kind, trigger: run.trigger, attempt: run.attempts }, 'sync started');
    try {
      const ran = await this.engine.run(run, controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      const done = await dataSource.transaction(async (m) => {
        await this.engine.recordSuccess(m, run.tokenId);
        return this.store.finish(m, run.id, 'SUCCEEDED');
      });
      log.info({ kind: ran.kind, pages: done?.pagesFetched, added: done?.devicesAdded, modified: done?.devicesModified, deleted: done?.devicesDeleted }, 'sync succeeded');
      return { status: 'SUCCEEDED' };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof SyncHandedBackError || reason instanceof JobRunnerStoppingError || reason instanceof JobKeyLockLostError) {
        await dataSource.transaction((m) => this.store.handBack(m, run.id)).catch((err) => log.error({ err }, 'could not hand a sync run back'));
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
    await this.deps.dataSource.transaction(async (m) => {
      const ended = await this.store.finish(m, runId, failure.status, { code: failure.code, message: failure.message });
      if (!ended) return;
      const now = this.deps.clock.now();
      await m.query(
        `UPDATE dep_tokens SET last_sync_error = $2,
                terms_not_accepted_at = CASE WHEN $3 THEN COALESCE(terms_not_accepted_at, $5) ELSE terms_not_accepted_at END,
                rejected_at = CASE WHEN $4 THEN COALESCE(rejected_at, $5) ELSE rejected_at END
          WHERE id = $1`,
        [ended.tokenId, failure.message, failure.tokenRefusal === 'TERMS', failure.tokenRefusal === 'REJECTED', now],
      );
      // A failed delta: the next sync is a full one, queued at once unless a person must act first
      // (the token's refusal) or Apple asked us to slow down (the schedule will come back).
      if (ended.kind === 'DELTA' && failure.status === 'FAILED' && !failure.tokenRefusal) {
        await m.query(`UPDATE dep_tokens SET full_sync_required = true WHERE id = $1`, [ended.tokenId]);
        if (failure.code !== ErrorCode.APPLE_RATE_LIMITED && !this.stopping) {
          await this.enqueue(m, { tokenId: ended.tokenId, full: true, trigger: 'SCHEDULED', fullSyncReason: 'AFTER_FAILED_DELTA' }, 'follow-up');
        }
      }
    });
    this.deps.jobs.wake(SYNC_QUEUE);
  }

  // ---------------------------------------------------------------- scheduler and recovery

  /**
   * One pass of background work (every instance runs it; the rules make the passes idempotent):
   * dead runs, runs whose job was lost, then scheduled syncs that are due. Tests call it after
   * moving the clock.
   */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = (async () => {
      try {
        await this.recoverInterrupted();
        await this.resendLostJobs();
        await this.queueDueSyncs();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'sync scheduler pass failed');
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** RUNNING runs that no instance executes (their token lock is free): FAILED, and continued. */
  async recoverInterrupted(): Promise<number> {
    if (!this.lockPool) return 0;
    const rows: { id: string; token_id: string }[] = await this.deps.dataSource.query(
      `SELECT id, token_id FROM sync_runs WHERE status = 'RUNNING' ORDER BY queued_at`,
    );
    let recovered = 0;
    for (const row of rows) {
      if (this.active.has(row.id) || this.stopping) continue;
      const lock = await tryAcquireKeyLock(this.lockPool, SYNC_LOCK_SCOPE, row.token_id, this.deps.logger, () => undefined);
      if (!lock) continue; // an instance is executing it
      try {
        const message =
          'The instance running this sync stopped before it finished; the pages committed so far are kept and a new sync continues from there';
        const ended = await this.deps.dataSource.transaction(async (m) => {
          const done = await this.store.finish(m, row.id, 'FAILED', { code: ErrorCode.SYNC_INTERRUPTED, message });
          if (!done) return null;
          await m.query(`UPDATE dep_tokens SET last_sync_error = $2 WHERE id = $1`, [row.token_id, message]);
          await this.enqueue(m, { tokenId: row.token_id, full: false, trigger: 'SCHEDULED' }, 'follow-up');
          return done;
        });
        if (ended) {
          this.deps.jobs.wake(SYNC_QUEUE);
          recovered++;
          this.deps.logger.warn({ runId: row.id, tokenId: row.token_id }, 'sync run interrupted by a stopped instance: marked failed and continued');
        }
      } finally {
        await lock.release();
      }
    }
    return recovered;
  }

  /**
   * A QUEUED run whose job has ended (retries exhausted after repeated hand-backs, or deleted)
   * would block its token forever: seen so at two passes in a row, it gets a new job.
   */
  private async resendLostJobs(): Promise<void> {
    const rows: { id: string; token_id: string; job_id: string | null }[] = await this.deps.dataSource.query(
      `SELECT id, token_id, job_id FROM sync_runs WHERE status = 'QUEUED'`,
    );
    const suspects = new Map<string, string | null>();
    for (const row of rows) {
      const job = row.job_id ? await this.deps.jobs.getJob(SYNC_QUEUE, row.job_id).catch(() => null) : null;
      const ended = !job || ['completed', 'failed', 'cancelled'].includes(job.state);
      if (!ended) continue;
      if (this.staleSuspects.has(row.id) && this.staleSuspects.get(row.id) === row.job_id) {
        await this.deps.dataSource.transaction(async (m) => {
          const [still] = await m.query(`SELECT job_id FROM sync_runs WHERE id = $1 AND status = 'QUEUED' FOR UPDATE`, [row.id]);
          if (!still || still.job_id !== row.job_id) return;
          const run = await this.store.find(m, row.id);
          if (run) await this.sendJob(m, run);
        });
        this.deps.jobs.wake(SYNC_QUEUE);
        this.deps.logger.warn({ runId: row.id, tokenId: row.token_id }, 'queued sync run had lost its job: sent a new one');
      } else {
        suspects.set(row.id, row.job_id);
      }
    }
    this.staleSuspects = suspects;
  }

  /** Tokens whose automatic sync is due (AUTO_SYNC_INTERVAL_S after the last one was triggered). */
  private async queueDueSyncs(): Promise<void> {
    if (this.stopping) return;
    const { clock, intervals, dataSource } = this.deps;
    const now = clock.now();
    const due: { id: string }[] = await dataSource.query(
      `SELECT t.id FROM dep_tokens t
        WHERE t.expires_at > $1
          AND (t.last_sync_triggered_at IS NULL OR t.last_sync_triggered_at <= $2)
          AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.token_id = t.id AND r.status IN ('QUEUED', 'RUNNING'))
        ORDER BY t.last_sync_triggered_at NULLS FIRST`,
      [now, new Date(now.getTime() - intervals.autoSyncIntervalS * SECOND_MS)],
    );
    for (const { id } of due) {
      try {
        await dataSource.transaction((m) => this.enqueue(m, { tokenId: id, full: false, trigger: 'SCHEDULED' }, 'if-due'));
        this.deps.jobs.wake(SYNC_QUEUE);
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) continue; // another instance queued it
        this.deps.logger.error({ err: error, tokenId: id }, 'could not queue a scheduled sync');
      }
    }
  }

  // ---------------------------------------------------------------- reads

  async isTokenVisible(tokenId: string, scope: AccessScope): Promise<boolean> {
    const visible = scope.tokenConditionSql('t.id', 2);
    const rows = await this.deps.dataSource.query(`SELECT 1 FROM dep_tokens t WHERE t.id = $1 AND ${visible.sql}`, [tokenId, ...visible.params]);
    return rows.length > 0;
  }

  /** Runs under visible tokens (base of the connections). */
  runsRepository() {
    return this.deps.dataSource.getRepository(SyncRunEntity);
  }

  runsQuery(scope: AccessScope): SelectQueryBuilder<SyncRunEntity> {
    return scope.restrictTokens(this.deps.dataSource.getRepository(SyncRunEntity).createQueryBuilder('r'), 'r.token_id');
  }

  async findVisibleRuns(ids: readonly string[], scope: AccessScope): Promise<SyncRunEntity[]> {
    if (ids.length === 0) return [];
    return this.runsQuery(scope).andWhere('r.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  async activeRuns(tokenIds: readonly string[]): Promise<SyncRunEntity[]> {
    if (tokenIds.length === 0) return [];
    return this.deps.dataSource
      .getRepository(SyncRunEntity)
      .createQueryBuilder('r')
      .where('r.token_id IN (:...ids)', { ids: [...tokenIds] })
      .andWhere(`r.status IN ('QUEUED', 'RUNNING')`)
      .getMany();
  }

  async syncStates(tokenIds: readonly string[]): Promise<Map<string, TokenSyncState>> {
    if (tokenIds.length === 0) return new Map();
    const rows = await this.deps.dataSource.query(
      `SELECT id, sync_cursor, fetch_id, full_sync_required, last_full_sync_at, last_manual_sync_at, last_sync_triggered_at
         FROM dep_tokens WHERE id = ANY($1::uuid[])`,
      [[...tokenIds]],
    );
    return new Map(
      rows.map((r: any) => [
        r.id,
        {
          tokenId: r.id,
          syncCursor: r.sync_cursor,
          fetchId: r.fetch_id,
          fullSyncRequired: r.full_sync_required,
          lastFullSyncAt: r.last_full_sync_at,
          lastManualSyncAt: r.last_manual_sync_at,
          lastSyncTriggeredAt: r.last_sync_triggered_at,
        } satisfies TokenSyncState,
      ]),
    );
  }

  get intervals(): SyncIntervals {
    return this.deps.intervals;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  /** Runs executing on this instance (tests, readiness). */
  get runningHere(): number {
    return this.active.size;
  }
}

function fullReason(request: SyncRequest, state: TokenSyncState): FullSyncReasonName {
  if (request.fullSyncReason) return request.fullSyncReason;
  if (request.trigger === 'TOKEN_UPLOAD') return 'TOKEN_UPLOADED';
  if (state.fetchId) return 'RESUMING_FETCH';
  if (state.syncCursor === null) return 'NO_CURSOR';
  if (request.full) return 'REQUESTED';
  return 'AFTER_FAILED_DELTA';
}
