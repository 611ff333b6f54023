/**
 * Turns an event into deliveries: one row per enabled webhook that subscribes to the event and may
 * see its subject (scope tags), in ONE statement, on the caller's executor (the sync page's or the
 * alert evaluation's transaction), so a delivery exists exactly when the change committed. The
 * job that drains each (webhook, token) is sent on the same executor.
 */
import { APPLE_BUSINESS_ACCOUNT_TAGS, DEP_TOKEN_TAGS, VPP_TOKEN_TAGS, type ScopeTagLink } from '../auth/scope-tag-link';
import type { SqlRunner } from '../database/sql-runner';
import { toGlobalId } from '../graphql/global-id';
import type { JobRunner } from '../jobs';
import type { Logger } from '../logger';
import type { WebhookEventName, WebhookSubject } from './webhook-events';

export const WEBHOOK_DELIVER_QUEUE = 'webhook-deliver';

export interface WebhookJob {
  webhookId: string;
  orderingKey: string;
  /** Set on the job a failed attempt schedules: the delivery whose backoff it ends (webhook.jobs.ts). */
  retryOf?: string;
}

export const jobKey = (job: WebhookJob) => `${job.webhookId}:${job.orderingKey}`;

/** What a subject's id is and where its scope tags are, first set member first (one is at most). */
const SUBJECT_TAGS = [
  ['tokenId', DEP_TOKEN_TAGS],
  ['vppTokenId', VPP_TOKEN_TAGS],
  ['appleBusinessAccountId', APPLE_BUSINESS_ACCOUNT_TAGS],
] as const satisfies readonly (readonly [keyof WebhookSubject, ScopeTagLink])[];

function taggedSubject(subject: WebhookSubject): { id: string; link: ScopeTagLink } | null {
  for (const [key, link] of SUBJECT_TAGS) {
    const id = subject[key];
    if (id) return { id, link };
  }
  return null;
}

/** The SQL condition "webhook w may hear of this subject", with the subject's id as `$param`. */
export function subjectCondition(subject: WebhookSubject, param: number): { sql: string; params: unknown[] } {
  const tagged = taggedSubject(subject);
  if (tagged) {
    const { table, ownerColumn } = tagged.link;
    return {
      sql: `(cardinality(w.scope_tag_ids) = 0 OR EXISTS (SELECT 1 FROM ${table} s WHERE s.${ownerColumn} = $${param}::uuid AND s.scope_tag_id = ANY(w.scope_tag_ids)))`,
      params: [tagged.id],
    };
  }
  // Deployment-wide events (the push certificate, webhooks): only webhooks without scope tags.
  return { sql: `(cardinality(w.scope_tag_ids) = 0 AND $${param}::text IS NULL)`, params: [null] };
}

export class WebhookDispatcher {
  constructor(
    private readonly jobs: JobRunner,
    private readonly logger: Logger,
  ) {}

  /** Whether any enabled webhook would hear of one of these events about the subject (skips work when none). */
  async anyListening(executor: SqlRunner, events: readonly WebhookEventName[], subject: WebhookSubject): Promise<boolean> {
    const condition = subjectCondition(subject, 2);
    const [row] = await executor.query(
      `SELECT EXISTS (SELECT 1 FROM webhooks w WHERE w.enabled AND w.events && $1::text[] AND ${condition.sql}) AS any`,
      [[...events], ...condition.params],
    );
    return Boolean(row?.any);
  }

  /**
   * Stores the event for every webhook that hears it and wakes their queues. `dedupeKey` makes the
   * event idempotent per webhook (several instances hearing the same sync outcome store it once).
   */
  async dispatch(
    executor: SqlRunner,
    event: WebhookEventName,
    subject: WebhookSubject,
    data: Record<string, unknown>,
    options: { now: Date; dedupeKey?: string },
  ): Promise<number> {
    // Events about one subject go out in order; deployment-wide ones share one key.
    const orderingKey = taggedSubject(subject)?.id ?? '-';
    const condition = subjectCondition(subject, 6);
    // The body's first member is the delivery id, spliced in by the statement (one id per webhook).
    const rest = JSON.stringify({
      event,
      occurredAt: options.now.toISOString(),
      tokenId: subject.tokenId ? toGlobalId('DepToken', subject.tokenId) : null,
      vppTokenId: subject.vppTokenId ? toGlobalId('VppToken', subject.vppTokenId) : null,
      ...(subject.appleBusinessAccountId ? { appleBusinessAccountId: toGlobalId('AppleBusinessAccount', subject.appleBusinessAccountId) } : {}),
      data,
    }).slice(1);
    const rows: { webhook_id: string }[] = await executor.query(
      `WITH targets AS (
         SELECT gen_random_uuid() AS id, w.id AS webhook_id FROM webhooks w
          WHERE w.enabled AND $1 = ANY(w.events) AND ${condition.sql}
       )
       INSERT INTO webhook_deliveries (id, webhook_id, event, ordering_key, dedupe_key, body, created_at)
       SELECT t.id, t.webhook_id, $1, $2, $3, '{"deliveryId":"' || t.id || '",' || $4, $5 FROM targets t
       ON CONFLICT (webhook_id, event, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
       RETURNING webhook_id`,
      [event, orderingKey, options.dedupeKey ?? null, rest, options.now, ...condition.params],
    );
    for (const { webhook_id } of rows) await this.wake(executor, { webhookId: webhook_id, orderingKey });
    if (rows.length) this.logger.debug({ event, webhooks: rows.length }, 'webhook deliveries queued');
    return rows.length;
  }

  /** Sends the drain job of a (webhook, ordering key); a waiting one already covers it. */
  async wake(executor: SqlRunner | undefined, job: WebhookJob, startAfterSeconds?: number): Promise<void> {
    await this.jobs.send(WEBHOOK_DELIVER_QUEUE, job, { singletonKey: jobKey(job), executor, startAfter: startAfterSeconds });
  }
}
