/**
 * Delivering webhooks on the job runner (pg-boss): one `webhook-deliver` job drains one (webhook,
 * ordering key) - a token's events, oldest first - holding that key across instances, so events
 * about a token arrive in order and at least once. A failed attempt stops the drain and schedules
 * the next after an exponential backoff (WEBHOOK_RETRY_BASE_MS doubling, capped at
 * WEBHOOK_RETRY_MAX_MS); later events of the same token wait behind it. After
 * WEBHOOK_DISABLE_AFTER_FAILURES consecutive failures the webhook is disabled (WEBHOOK_DISABLED
 * alert); its pending deliveries are kept for when it is enabled again.
 */
import type { DataSource } from 'typeorm';
import type { AlertService } from '../alerts/alert.service';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import { jobKey, WEBHOOK_DELIVER_QUEUE, type WebhookDispatcher, type WebhookJob } from './webhook-dispatcher';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { sendWebhook, type SendOutcome } from './webhook-sender';
import { webhookSecretContext } from './webhook.secret';

export interface WebhookDeliveryOptions {
  allowPrivateNetworks: boolean;
  retryBaseMs: number;
  retryMaxMs: number;
  disableAfterFailures: number;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
}

export interface WebhookWorkerDeps {
  dataSource: DataSource;
  jobs: JobRunner;
  dispatcher: WebhookDispatcher;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  alerts: AlertService;
  options: WebhookDeliveryOptions;
}

export const WEBHOOK_PRUNE_QUEUE = 'webhook-prune';
const WEBHOOK_PRUNE_CRON = '23 3 * * *';
/** Delivered deliveries are kept this long in the log (pending ones until they go out). */
export const DELIVERED_RETENTION_DAYS = 30;

export function backoffMs(attempts: number, options: Pick<WebhookDeliveryOptions, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

export async function startWebhookWorker(deps: WebhookWorkerDeps): Promise<void> {
  await deps.jobs.defineQueue(WEBHOOK_DELIVER_QUEUE, { policy: 'short', retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 15 * 60 });
  await deps.jobs.work<WebhookJob>(WEBHOOK_DELIVER_QUEUE, (job) => drain(deps, job.data, job.signal), {
    concurrency: 4,
    pollingIntervalSeconds: 0.5,
    // One drain per (webhook, token) across instances; a job arriving meanwhile comes back shortly.
    exclusive: { key: jobKey, whenBusy: { retryAfterSeconds: 1 } },
  });
  // The log keeps delivered entries for DELIVERED_RETENTION_DAYS: a daily prune, in batches.
  await deps.jobs.defineQueue(WEBHOOK_PRUNE_QUEUE, { policy: 'short', retryLimit: 1, expireInSeconds: 30 * 60 });
  await deps.jobs.work(WEBHOOK_PRUNE_QUEUE, async () => pruneDelivered(deps.dataSource, deps.clock.now()), { exclusive: { key: () => 'all', whenBusy: 'skip' } });
  await deps.jobs.schedule(WEBHOOK_PRUNE_QUEUE, WEBHOOK_PRUNE_CRON, {}, { singletonKey: 'cron' });
}

/** Deletes delivered entries older than the retention, 10,000 per statement. */
export async function pruneDelivered(dataSource: DataSource, now: Date): Promise<{ deleted: number }> {
  const before = new Date(now.getTime() - DELIVERED_RETENTION_DAYS * 86_400_000);
  let deleted = 0;
  for (;;) {
    const [, n] = await dataSource.query(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE status = 'DELIVERED' AND delivered_at < $1 LIMIT 10000)`,
      [before],
    );
    deleted += Number(n) || 0;
    if (!(Number(n) >= 10_000)) return { deleted };
  }
}

async function drain(deps: WebhookWorkerDeps, job: WebhookJob, signal: AbortSignal): Promise<{ delivered: number }> {
  const { dataSource, box, clock, options } = deps;
  const webhooks = dataSource.getRepository(WebhookEntity);
  const deliveries = dataSource.getRepository(WebhookDeliveryEntity);
  let delivered = 0;
  while (!signal.aborted) {
    const webhook = await webhooks.findOneBy({ id: job.webhookId });
    if (!webhook || !webhook.enabled) break;
    const next = await deliveries.findOne({
      where: { webhookId: job.webhookId, orderingKey: job.orderingKey, status: 'PENDING' },
      order: { seq: 'ASC' },
    });
    if (!next) break;
    // The drain key's one waiting job is whichever was sent first: a newer event's wake (or a
    // busy-key copy) can stand in for the retry a failed attempt scheduled. Such a job does not
    // attempt the head early: it schedules the retry for when the backoff ends (the clock's time
    // left), and the events behind the head wait with it.
    if (next.nextAttemptAt !== null && job.retryOf !== next.id) {
      const left = Math.max(0, next.nextAttemptAt.getTime() - clock.now().getTime());
      await deps.dispatcher.wake(undefined, { webhookId: job.webhookId, orderingKey: job.orderingKey, retryOf: next.id }, left / 1000);
      break;
    }
    const secret = box.open(webhook.secretSealed, webhookSecretContext(webhook.id));
    const outcome: SendOutcome = await sendWebhook(webhook.url, secret, next.body, Math.floor(clock.now().getTime() / 1000), {
      allowPrivateNetworks: options.allowPrivateNetworks,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    const now = clock.now();
    const attempts = next.attempts + 1;
    if (outcome.ok) {
      await deliveries.update(
        { id: next.id },
        { status: 'DELIVERED', attempts, lastResponseCode: outcome.status, lastError: null, lastAttemptAt: now, nextAttemptAt: null, deliveredAt: now },
      );
      if (webhook.consecutiveFailures !== 0) await webhooks.update({ id: webhook.id }, { consecutiveFailures: 0 });
      delivered += 1;
      continue;
    }
    const delay = backoffMs(attempts, options);
    await deliveries.update(
      { id: next.id },
      { attempts, lastResponseCode: outcome.status, lastError: outcome.error, lastAttemptAt: now, nextAttemptAt: new Date(now.getTime() + delay) },
    );
    const [[row]] = await dataSource.query(
      `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = $1 RETURNING consecutive_failures`,
      [webhook.id],
    );
    deps.logger.warn({ webhookId: webhook.id, deliveryId: next.id, attempts, status: outcome.status, error: outcome.error }, 'webhook delivery failed');
    if (row && row.consecutive_failures >= options.disableAfterFailures) {
      await disable(deps, webhook.id, `${row.consecutive_failures} failed attempts in a row, the last: ${outcome.error}`);
      break;
    }
    await deps.dispatcher.wake(undefined, { webhookId: job.webhookId, orderingKey: job.orderingKey, retryOf: next.id }, delay / 1000);
    break;
  }
  return { delivered };
}

async function disable(deps: WebhookWorkerDeps, webhookId: string, reason: string): Promise<void> {
  const now = deps.clock.now();
  await deps.dataSource.query(
    `UPDATE webhooks SET enabled = false, disabled_at = $2, disabled_reason = $3, updated_at = $2 WHERE id = $1 AND enabled`,
    [webhookId, now, reason.slice(0, 500)],
  );
  deps.logger.error({ webhookId, reason }, 'webhook disabled after repeated failures');
  await deps.alerts.evaluateWebhook(webhookId).catch((err: Error) =>
    deps.logger.error({ webhookId, err: { message: err.message } }, 'alert evaluation failed'),
  );
}
