/**
 * Background passes every instance runs (the rules make them idempotent): recovery after a crash,
 * runs whose job was lost, and the scheduled syncs that are due.
 *
 * - A RUNNING run whose token key no worker holds belongs to an instance that died (kill -9): the
 *   next pass on any instance (one runs at start) marks it FAILED (SYNC_INTERRUPTED) and queues a
 *   run that continues from the saved cursors.
 * - A QUEUED run whose job has ended would block its token forever: it gets a new job.
 * - A token is synced automatically AUTO_SYNC_INTERVAL_S after its last sync was triggered.
 */
import { SECOND_MS } from '../clock';
import { ErrorCode } from '../errors/error-codes';
import type { SyncParts } from './sync-parts';
import { isConcurrentQueue, type SyncRequestService } from './sync-request.service';
import type { SyncWorker } from './sync-worker';

const INTERRUPTED_MESSAGE =
  'The instance running this sync stopped before it finished; the pages committed so far are kept and a new sync continues from there';

export interface SyncSchedulerDeps extends SyncParts {
  requests: SyncRequestService;
  worker: SyncWorker;
  /** Whether this instance is stopping (no pass queues anything then). */
  stopping: () => boolean;
  /** Real time between passes; 0: only at start and when tick() is called. */
  intervalMs: number;
}

export class SyncScheduler {
  private started = false;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /** QUEUED runs whose job had ended at the previous pass (resent when still so at the next). */
  private staleSuspects = new Map<string, string | null>();

  constructor(private readonly deps: SyncSchedulerDeps) {}

  /** One pass now (after the job runner has started), then one every intervalMs. */
  async start(): Promise<void> {
    this.started = true;
    await this.tick();
    if (this.deps.intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
      this.timer.unref();
    }
  }

  /** No more passes; resolves when the one under way has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
  }

  /**
   * One pass: dead runs, runs whose job was lost, then scheduled syncs that are due. Tests call it
   * after moving the clock.
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

  /** RUNNING runs that no instance executes (their token key is free): FAILED, and continued. */
  async recoverInterrupted(): Promise<number> {
    if (!this.started) return 0;
    const { dataSource, queue, runs, tokenStates, requests, logger } = this.deps;
    const rows: { id: string; token_id: string }[] = await dataSource.query(`SELECT id, token_id FROM sync_runs WHERE status = 'RUNNING' ORDER BY queued_at`);
    let recovered = 0;
    for (const row of rows) {
      if (this.deps.worker.isRunningHere(row.id) || this.deps.stopping()) continue;
      // Holding the key while recovering: no worker can start a run of the token meanwhile.
      const checked = await queue.whileTokenIdle(row.token_id, () =>
        dataSource.transaction(async (m) => {
          const done = await runs.finish(m, row.id, 'FAILED', { code: ErrorCode.SYNC_INTERRUPTED, message: INTERRUPTED_MESSAGE });
          if (!done) return null;
          await tokenStates.recordError(m, row.token_id, INTERRUPTED_MESSAGE);
          await requests.enqueue(m, { tokenId: row.token_id, full: false, trigger: 'SCHEDULED' }, 'follow-up');
          return done;
        }),
      );
      if (checked.free && checked.value) {
        queue.wake();
        recovered++;
        logger.warn({ runId: row.id, tokenId: row.token_id }, 'sync run interrupted by a stopped instance: marked failed and continued');
      }
    }
    return recovered;
  }

  /**
   * A QUEUED run whose job has ended (retries exhausted after repeated hand-backs, or deleted)
   * would block its token forever: seen so at two passes in a row, it gets a new job.
   */
  private async resendLostJobs(): Promise<void> {
    const { dataSource, queue, runs, logger } = this.deps;
    const rows: { id: string; token_id: string; job_id: string | null }[] = await dataSource.query(
      `SELECT id, token_id, job_id FROM sync_runs WHERE status = 'QUEUED'`,
    );
    const suspects = new Map<string, string | null>();
    for (const row of rows) {
      const job = row.job_id ? await queue.findJob(row.job_id).catch(() => null) : null;
      const ended = !job || ['completed', 'failed', 'cancelled'].includes(job.state);
      if (!ended) continue;
      if (this.staleSuspects.has(row.id) && this.staleSuspects.get(row.id) === row.job_id) {
        await dataSource.transaction(async (m) => {
          const [still] = await m.query(`SELECT job_id FROM sync_runs WHERE id = $1 AND status = 'QUEUED' FOR UPDATE`, [row.id]);
          if (!still || still.job_id !== row.job_id) return;
          const run = await runs.find(m, row.id);
          if (run) await queue.send(m, run);
        });
        queue.wake();
        logger.warn({ runId: row.id, tokenId: row.token_id }, 'queued sync run had lost its job: sent a new one');
      } else {
        suspects.set(row.id, row.job_id);
      }
    }
    this.staleSuspects = suspects;
  }

  /** Tokens whose automatic sync is due (AUTO_SYNC_INTERVAL_S after the last one was triggered). */
  private async queueDueSyncs(): Promise<void> {
    if (this.deps.stopping()) return;
    const { clock, intervals, dataSource, queue, tokenStates, requests, logger } = this.deps;
    const now = clock.now();
    const due = await tokenStates.dueForScheduledSync(dataSource, now, new Date(now.getTime() - intervals.autoSyncIntervalS * SECOND_MS));
    for (const id of due) {
      try {
        await dataSource.transaction((m) => requests.enqueue(m, { tokenId: id, full: false, trigger: 'SCHEDULED' }, 'if-due'));
        queue.wake();
      } catch (error) {
        if (isConcurrentQueue(error)) continue; // another instance queued it
        logger.error({ err: error, tokenId: id }, 'could not queue a scheduled sync');
      }
    }
  }
}
