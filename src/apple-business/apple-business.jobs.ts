/**
 * The background side of the Apple School and Business API, on the job runner (pg-boss):
 * - `apple-business-inventory`: one account's inventory mirror (right after it connects, hourly
 *   for every account, and on demand); one at a time per account, a request while one runs waits;
 * - `apple-business-activity-poll`: one poll of a device activity; each poll that finds it still
 *   running sends the next one, later (every few seconds at first, then up to every 30 s);
 * - `apple-business-delta-sync`: after an activity completes, a delta sync of each DEP token that
 *   serves a server concerned. A sync of the token already running may have read past the change,
 *   so a request refused as SYNC_IN_PROGRESS is sent again, a few seconds later, until it queues.
 * - `apple-business-assertion-renewal`: hourly, every account whose client assertion is within its
 *   renewal window gets a new one proved with Apple, so an account nobody uses renews too and
 *   APPLE_BUSINESS_ASSERTION_EXPIRING only fires when renewal keeps failing.
 */
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { PostgresPubSub } from '../events';
import { Topic } from '../events/topics';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { SyncService } from '../sync/sync.service';
import type { AppleBusinessAccountService } from './account.service';
import type { ActivityService } from './activity.service';
import type { InventoryService } from './inventory.service';

export const INVENTORY_QUEUE = 'apple-business-inventory';
export const INVENTORY_ALL_QUEUE = 'apple-business-inventory-all';
export const ACTIVITY_POLL_QUEUE = 'apple-business-activity-poll';
export const DELTA_SYNC_QUEUE = 'apple-business-delta-sync';
export const ASSERTION_RENEWAL_QUEUE = 'apple-business-assertion-renewal';
export const INVENTORY_CRON = '41 * * * *';
export const ASSERTION_RENEWAL_CRON = '23 * * * *';
/** A delta sync request refused because one is in progress is sent again this much later, at most this often (10 min). */
const DELTA_SYNC_WAIT_S = 5;
const DELTA_SYNC_ATTEMPTS = 120;

interface DeltaSyncJob {
  tokenId: string;
  attempt?: number;
}

export interface AppleBusinessBackgroundDeps {
  jobs: JobRunner;
  accounts: AppleBusinessAccountService;
  inventory: InventoryService;
  activities: ActivityService;
  sync: SyncService;
  events: PostgresPubSub;
  logger: Logger;
  schedule?: boolean;
}

export interface AppleBusinessBackground {
  mirrorNow(accountId: string): Promise<void>;
}

export async function startAppleBusinessBackground(deps: AppleBusinessBackgroundDeps): Promise<AppleBusinessBackground> {
  const { jobs, accounts, inventory, activities, sync, events, logger } = deps;
  await jobs.defineQueue(INVENTORY_QUEUE, { policy: 'short', retryLimit: 2, retryDelaySeconds: 60, retryBackoff: true, expireInSeconds: 2 * 3600 });
  await jobs.defineQueue(INVENTORY_ALL_QUEUE, { policy: 'short', retryLimit: 1, expireInSeconds: 600 });
  await jobs.defineQueue(ACTIVITY_POLL_QUEUE, { policy: 'short', retryLimit: 5, retryDelaySeconds: 30, expireInSeconds: 600 });
  // 'short': requests for one token coalesce into the one waiting.
  await jobs.defineQueue(DELTA_SYNC_QUEUE, { policy: 'short', retryLimit: 2, retryDelaySeconds: 5, expireInSeconds: 600 });
  await jobs.defineQueue(ASSERTION_RENEWAL_QUEUE, { policy: 'short', retryLimit: 1, expireInSeconds: 600 });

  await jobs.work<{ accountId: string }>(INVENTORY_QUEUE, async (job) => inventory.mirror(job.data.accountId, job.signal), {
    exclusive: { key: (data) => data.accountId, whenBusy: { retryAfterSeconds: 30 } },
    pollingIntervalSeconds: 0.5,
  });
  await jobs.work(INVENTORY_ALL_QUEUE, async () => {
    for (const account of await accounts.all()) await jobs.send(INVENTORY_QUEUE, { accountId: account.id }, { singletonKey: account.id });
  });
  await jobs.work<{ activityId: string }>(ACTIVITY_POLL_QUEUE, async (job) => activities.poll(job.data.activityId), {
    exclusive: { key: (data) => data.activityId, whenBusy: 'skip' },
    pollingIntervalSeconds: 0.5,
    concurrency: 2,
  });
  await jobs.work<DeltaSyncJob>(DELTA_SYNC_QUEUE, async (job) => {
    const { tokenId, attempt = 1 } = job.data;
    try {
      await sync.requests.requestSync({ tokenId, full: false, trigger: 'SCHEDULED' });
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.SYNC_IN_PROGRESS && attempt < DELTA_SYNC_ATTEMPTS) {
        await jobs.send(DELTA_SYNC_QUEUE, { tokenId, attempt: attempt + 1 }, { singletonKey: tokenId, startAfter: DELTA_SYNC_WAIT_S });
        return;
      }
      // A refused one (expired token, engine not running here, a run that never ends) is left to the schedule.
      logger.info({ tokenId, reason: (error as Error).message }, 'no delta sync queued after a device activity');
    }
  }, { pollingIntervalSeconds: 0.5 });
  // One pass at a time across the fleet; each account's outcome is kept on it (the alert's message).
  await jobs.work(ASSERTION_RENEWAL_QUEUE, async (job) => accounts.renewAssertions(job.signal), {
    exclusive: { key: () => 'all', whenBusy: 'skip' },
  });
  await jobs.start();
  if (deps.schedule !== false) {
    await jobs.schedule(INVENTORY_ALL_QUEUE, INVENTORY_CRON, {}, { singletonKey: 'cron' });
    await jobs.schedule(ASSERTION_RENEWAL_QUEUE, ASSERTION_RENEWAL_CRON, {}, { singletonKey: 'cron' });
  }

  const mirrorNow = async (accountId: string) => {
    await jobs.send(INVENTORY_QUEUE, { accountId }, { singletonKey: accountId });
  };
  accounts.onConnected((account) => mirrorNow(account.id));
  activities.hooks = {
    schedulePoll: async (activityId, delayMs) => {
      await jobs.send(ACTIVITY_POLL_QUEUE, { activityId }, { singletonKey: activityId, startAfter: Math.max(1, Math.round(delayMs / 1000)) });
    },
    changed: (activity) =>
      events
        .publish(Topic.ORG_DEVICE_ACTIVITY_CHANGED, { activityId: activity.id, accountId: activity.accountId, status: activity.status, subStatus: activity.subStatus })
        .catch((err: Error) => logger.warn({ orgDeviceActivityId: activity.id, err: { message: err.message } }, 'ORG_DEVICE_ACTIVITY_CHANGED not published')),
    syncServers: async (appleServerIds) => {
      for (const tokenId of await activities.depTokensOf(appleServerIds)) await jobs.send(DELTA_SYNC_QUEUE, { tokenId }, { singletonKey: tokenId });
    },
  };
  return { mirrorNow };
}
