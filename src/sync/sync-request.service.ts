/**
 * Requests for a sync (manual, after an upload, scheduled, follow-ups) and their refusals.
 *
 * One sync per token: a partial unique index allows one QUEUED or RUNNING run per token, and
 * every request takes the token's row lock, so two instances cannot both queue one. The run's job
 * is inserted in the transaction that creates the run: it exists if and only if the run does.
 */
import type { EntityManager } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import { UNIQUE_VIOLATION } from '../database/pg-error-codes';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { SyncReads } from './sync-reads';
import type { FullSyncReasonName, SyncRunEntity, SyncRunTriggerName } from './sync-run.entity';
import type { SyncParts } from './sync-parts';
import { fullSyncRequired, nextFullSyncAt, nextManualSyncAt, scheduledSyncDue, secondsUntil, type TokenSyncState } from './sync.rules';

export interface SyncRequest {
  tokenId: string;
  full: boolean;
  trigger: SyncRunTriggerName;
  requestedByApiKeyId?: string | null;
  /** Why a follow-up is full (recorded on the run). */
  fullSyncReason?: FullSyncReasonName;
  /** The request that caused it (an upload), for the audit trail's system event. */
  requestId?: string | null;
}

/**
 * How a request that the rules refuse is answered: `refuse` throws the refusal (a person asked);
 * `if-due` and `follow-up` skip (null) instead - `if-due` also only when the schedule says so.
 */
export type EnqueueMode = 'refuse' | 'if-due' | 'follow-up';

export interface SyncRequestDeps extends SyncParts {
  reads: SyncReads;
  /** Whether this instance's sync engine takes requests (started, not stopping). */
  accepting: () => boolean;
}

/** A unique violation on the one-active-run index: another request (on any instance) won. */
export function isConcurrentQueue(error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION;
}

/** Told of each queued run inside the transaction that queues it (the audit trail records system syncs). */
export type SyncQueuedListener = (m: EntityManager, run: SyncRunEntity, request: SyncRequest) => Promise<void>;

export class SyncRequestService {
  private readonly queuedListeners: SyncQueuedListener[] = [];

  constructor(private readonly deps: SyncRequestDeps) {}

  onQueued(listener: SyncQueuedListener): void {
    this.queuedListeners.push(listener);
  }

  /** `syncDepToken`: a visible token, the rules, then a queued run. */
  async requestManualSync(tokenId: string, full: boolean, scope: AccessScope, apiKeyId: string | null): Promise<SyncRunEntity> {
    if (!(await this.deps.reads.isTokenVisible(tokenId, scope))) throw notFound('DEP token');
    return this.requestSync({ tokenId, full, trigger: 'MANUAL', requestedByApiKeyId: apiKeyId });
  }

  /** Queues a run or throws the refusal (SYNC_IN_PROGRESS, SYNC_RATE_LIMITED, FULL_SYNC_RATE_LIMITED, TOKEN_EXPIRED). */
  async requestSync(request: SyncRequest): Promise<SyncRunEntity> {
    if (!this.deps.accepting()) throw new Error('The sync engine is not running on this instance');
    try {
      const run = await this.deps.dataSource.transaction((m) => this.enqueue(m, request, 'refuse'));
      this.deps.queue.wake();
      return run!;
    } catch (error) {
      if (isConcurrentQueue(error)) throw inProgress(null);
      throw error;
    }
  }

  /**
   * In the caller's transaction: locks the token, applies the rules, inserts the run, its job and
   * its QUEUED event. Returns null when `mode` says to skip instead of refusing. The caller wakes
   * the queue after its commit.
   */
  async enqueue(m: EntityManager, request: SyncRequest, mode: EnqueueMode): Promise<SyncRunEntity | null> {
    const { clock, intervals, runs, tokenStates } = this.deps;
    const state = await tokenStates.load(m, request.tokenId, { lock: true });
    if (!state) {
      if (mode === 'refuse') throw notFound('DEP token');
      return null;
    }
    const now = clock.now();
    const [active] = await m.query(`SELECT id FROM sync_runs WHERE token_id = $1 AND status IN ('QUEUED', 'RUNNING')`, [request.tokenId]);
    if (active) {
      if (mode === 'refuse') throw inProgress(active.id);
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
    const run = await runs.insert(m, {
      tokenId: request.tokenId,
      kind: full ? 'FULL' : 'DELTA',
      trigger: request.trigger,
      fullSyncReason: full ? fullReason(request, state) : null,
      requestedByApiKeyId: request.requestedByApiKeyId,
    });
    await tokenStates.markTriggered(m, request.tokenId, now, request.trigger === 'MANUAL');
    await this.deps.queue.send(m, run);
    await runs.announce(m, run);
    for (const listener of this.queuedListeners) await listener(m, run, request);
    this.deps.logger.info({ runId: run.id, tokenId: run.tokenId, kind: run.kind, trigger: run.trigger }, 'sync queued');
    return run;
  }
}

function inProgress(runId: string | null): DomainError {
  return new DomainError(
    ErrorCode.SYNC_IN_PROGRESS,
    'A sync of this token is already queued or running; wait for it to finish',
    // A row id: the GraphQL boundary turns it into the run's global id (error-extension-ids.ts).
    runId ? { syncRunId: runId } : {},
  );
}

function fullReason(request: SyncRequest, state: TokenSyncState): FullSyncReasonName {
  if (request.fullSyncReason) return request.fullSyncReason;
  if (request.trigger === 'TOKEN_UPLOAD') return 'TOKEN_UPLOADED';
  if (state.fetchId) return 'RESUMING_FETCH';
  if (state.syncCursor === null) return 'NO_CURSOR';
  if (request.full) return 'REQUESTED';
  return 'AFTER_FAILED_DELTA';
}
