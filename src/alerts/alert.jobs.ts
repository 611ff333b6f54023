/**
 * The background side of alerts and VPP licences, on the job runner (pg-boss):
 * - `alerts-evaluate`: every token's alerts, every 15 minutes (pg-boss cron: one job per tick for
 *   the whole fleet), so time-based crossings (30/14/7/1 days, 3 days without a sync) are noticed
 *   with no other trigger;
 * - `vpp-refresh`: every VPP token's expiry and Company Portal licences read from Apple, hourly
 *   (each refresh re-evaluates that token's alerts);
 * - right after a sync run ends (SYNC_RUN_CHANGED with a final status, heard on every instance
 *   through the events channel), that token's alerts, so DEP_SYNC_FAILING and
 *   DEP_TERMS_NOT_ACCEPTED follow the outcome at once. Evaluations are idempotent and serialised
 *   per token, so several instances hearing the same event raise nothing twice.
 * Uploads and renewals evaluate their token directly (see services.ts).
 */
import type { AlertService } from './alert.service';
import { Topic, type SyncRunChangedEvent } from '../events/topics';
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { VppTokenService } from '../vpp/vpp-token.service';

export const ALERTS_EVALUATE_QUEUE = 'alerts-evaluate';
export const VPP_REFRESH_QUEUE = 'vpp-refresh';
export const ALERTS_EVALUATE_CRON = '*/15 * * * *';
export const VPP_REFRESH_CRON = '7 * * * *';
const FINAL_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT']);

export interface AlertBackgroundDeps {
  jobs: JobRunner;
  alerts: AlertService;
  vppTokens: VppTokenService;
  logger: Logger;
  /** The events pub/sub: sync outcomes are heard here. Optional (tests of the jobs alone). */
  pubSub?: { subscribe(topic: typeof Topic.SYNC_RUN_CHANGED): AsyncIterable<SyncRunChangedEvent> };
  /** false: queues and workers only, no cron schedules (tests send jobs themselves). Default true. */
  schedule?: boolean;
}

export interface AlertBackground {
  /** Sends a one-off job (as the cron would). */
  evaluateNow(): Promise<void>;
  refreshVppNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlertBackground(deps: AlertBackgroundDeps): Promise<AlertBackground> {
  const { jobs, alerts, vppTokens, logger } = deps;
  // One pass at a time across the fleet; a tick arriving while one runs is skipped, not queued.
  await jobs.defineQueue(ALERTS_EVALUATE_QUEUE, { policy: 'short', retryLimit: 1, expireInSeconds: 30 * 60 });
  await jobs.defineQueue(VPP_REFRESH_QUEUE, { policy: 'short', retryLimit: 1, expireInSeconds: 30 * 60 });
  await jobs.work(ALERTS_EVALUATE_QUEUE, async (job) => alerts.evaluateAll(job.signal), {
    exclusive: { key: () => 'all', whenBusy: 'skip' },
  });
  await jobs.work(VPP_REFRESH_QUEUE, async (job) => vppTokens.refreshAll(job.signal), {
    exclusive: { key: () => 'all', whenBusy: 'skip' },
  });
  await jobs.start();
  if (deps.schedule !== false) {
    await jobs.schedule(ALERTS_EVALUATE_QUEUE, ALERTS_EVALUATE_CRON, {}, { singletonKey: 'cron' });
    await jobs.schedule(VPP_REFRESH_QUEUE, VPP_REFRESH_CRON, {}, { singletonKey: 'cron' });
  }

  let subscription: AsyncIterator<SyncRunChangedEvent> | undefined;
  let listening: Promise<void> | undefined;
  if (deps.pubSub) {
    subscription = deps.pubSub.subscribe(Topic.SYNC_RUN_CHANGED)[Symbol.asyncIterator]();
    const iterator = subscription;
    listening = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const event = next.value;
        if (!FINAL_STATUSES.has(event.status)) continue;
        await alerts.evaluateDepToken(event.tokenId).catch((err: Error) =>
          logger.error({ tokenId: event.tokenId, err: { message: err.message } }, 'alert evaluation after a sync failed'),
        );
      }
    })().catch((err: Error) => logger.error({ err: { message: err.message } }, 'sync outcome listener stopped'));
  }

  return {
    async evaluateNow() {
      await jobs.send(ALERTS_EVALUATE_QUEUE, {}, { singletonKey: 'now' });
    },
    async refreshVppNow() {
      await jobs.send(VPP_REFRESH_QUEUE, {}, { singletonKey: 'now' });
    },
    async stop() {
      await subscription?.return?.();
      await listening;
    },
  };
}
