/**
 * Webhooks: create (the secret shown once), update (URL, events, scope tags, secret, enabled),
 * delete, and the reads behind `webhooks` and `webhookDeliveries`. ADMIN keys only (see the
 * resolver); a key with scope tags sees and manages the webhooks carrying one of its tags, and can
 * create only webhooks limited to its own tags (a webhook without tags hears of every token).
 * Every refusal happens before anything is written.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import type { AccessScope } from '../auth/access-scope';
import { resolveScopeTagIds } from '../auth/scope-tag-assignment';
import type { Principal } from '../auth/principal';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { DomainError, notFound } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { AlertService } from '../alerts/alert.service';
import type { Logger } from '../logger';
import type { WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_EVENTS, type WebhookEventName } from './webhook-events';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { webhookSecretContext } from './webhook.secret';
import { generateWebhookSecret, MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from './webhook-signature';
import { checkWebhookHost, parseWebhookUrl, WebhookUrlError } from './webhook-url';

export const MAX_WEBHOOKS = 50;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 1000;

export interface CreateWebhookCommand {
  url: string;
  events: readonly string[];
  scopeTagIds?: readonly string[] | null;
  secret?: string | null;
  description?: string | null;
}

export interface UpdateWebhookCommand {
  webhookId: string;
  url?: string | null;
  events?: readonly string[] | null;
  scopeTagIds?: readonly string[] | null;
  secret?: string | null;
  description?: string | null;
  enabled?: boolean | null;
}

export class WebhookService {
  private readonly webhooks: Repository<WebhookEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly dispatcher: WebhookDispatcher,
    private readonly alerts: AlertService,
    private readonly options: { allowPrivateNetworks: boolean },
  ) {
    this.webhooks = dataSource.getRepository(WebhookEntity);
  }

  // ---------------------------------------------------------------- reads

  /** Webhooks the key may see: all without scope tags; with tags, those sharing one. */
  listQuery(scope: AccessScope): SelectQueryBuilder<WebhookEntity> {
    const qb = this.webhooks.createQueryBuilder('w');
    if (!scope.unrestricted) qb.where('w.scope_tag_ids && CAST(:tags AS uuid[])', { tags: [...scope.scopeTagIds] });
    return qb;
  }

  async findVisible(id: string, scope: AccessScope): Promise<WebhookEntity | null> {
    return this.listQuery(scope).andWhere('w.id = :id', { id }).getOne();
  }

  async findVisibleByIds(ids: readonly string[], scope: AccessScope): Promise<WebhookEntity[]> {
    if (ids.length === 0) return [];
    return this.listQuery(scope).andWhere('w.id IN (:...ids)', { ids: [...ids] }).getMany();
  }

  deliveriesQuery(webhookId: string, status: string | null): SelectQueryBuilder<WebhookDeliveryEntity> {
    const qb = this.dataSource.getRepository(WebhookDeliveryEntity).createQueryBuilder('d').where('d.webhook_id = :webhookId', { webhookId });
    if (status) qb.andWhere('d.status = :status', { status });
    return qb;
  }

  // ---------------------------------------------------------------- writes

  async create(command: CreateWebhookCommand, principal: Principal, scope: AccessScope): Promise<{ webhook: WebhookEntity; secret: string }> {
    const url = await this.validUrl(command.url);
    const events = validEvents(command.events);
    const secret = command.secret == null ? generateWebhookSecret() : validSecret(command.secret);
    const description = validDescription(command.description);
    const scopeTagIds = await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    const now = this.clock.now();
    const id = randomUUID();
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('depgate:webhooks:create', 0))`);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM webhooks`);
      if (n >= MAX_WEBHOOKS) throw new DomainError(ErrorCode.WEBHOOK_LIMIT_REACHED, `A deployment takes at most ${MAX_WEBHOOKS} webhooks: delete one first`);
      await m.insert(WebhookEntity, {
        id,
        url,
        events,
        scopeTagIds,
        description,
        secretSealed: this.box.seal(secret, webhookSecretContext(id)),
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        consecutiveFailures: 0,
        createdByApiKeyId: principal.apiKeyId,
        createdAt: now,
        updatedAt: now,
      });
    });
    this.logger.info({ webhookId: id, host: new URL(url).host, events }, 'webhook created');
    return { webhook: await this.webhooks.findOneByOrFail({ id }), secret };
  }

  async update(command: UpdateWebhookCommand, scope: AccessScope): Promise<WebhookEntity> {
    const webhook = await this.findVisible(command.webhookId, scope);
    if (!webhook) throw notFound('Webhook');
    const url = command.url == null ? undefined : await this.validUrl(command.url);
    const events = command.events == null ? undefined : validEvents(command.events);
    const secret = command.secret == null ? undefined : validSecret(command.secret);
    const description = command.description === undefined || command.description === null ? undefined : validDescription(command.description);
    const scopeTagIds = command.scopeTagIds == null ? undefined : await resolveScopeTagIds(this.dataSource, command.scopeTagIds, scope);
    const reenable = command.enabled === true && !webhook.enabled;
    const now = this.clock.now();
    await this.webhooks.update(
      { id: webhook.id },
      {
        ...(url !== undefined ? { url } : {}),
        ...(events !== undefined ? { events } : {}),
        ...(secret !== undefined ? { secretSealed: this.box.seal(secret, webhookSecretContext(webhook.id)) } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(scopeTagIds !== undefined ? { scopeTagIds } : {}),
        ...(command.enabled === false ? { enabled: false, disabledAt: now, disabledReason: 'disabled by an admin' } : {}),
        ...(reenable ? { enabled: true, disabledAt: null, disabledReason: null, consecutiveFailures: 0 } : {}),
        updatedAt: now,
      },
    );
    if (reenable) {
      // The deliveries kept while it was disabled go out now, in order: no backoff left to wait.
      await this.dataSource.query(
        `UPDATE webhook_deliveries SET next_attempt_at = NULL WHERE webhook_id = $1 AND status = 'PENDING' AND next_attempt_at IS NOT NULL`,
        [webhook.id],
      );
      const keys: { ordering_key: string }[] = await this.dataSource.query(
        `SELECT DISTINCT ordering_key FROM webhook_deliveries WHERE webhook_id = $1 AND status = 'PENDING'`,
        [webhook.id],
      );
      for (const { ordering_key } of keys) await this.dispatcher.wake(undefined, { webhookId: webhook.id, orderingKey: ordering_key });
    }
    if (command.enabled != null) await this.alerts.evaluateWebhook(webhook.id);
    return this.webhooks.findOneByOrFail({ id: webhook.id });
  }

  async delete(webhookId: string, scope: AccessScope): Promise<string> {
    const webhook = await this.findVisible(webhookId, scope);
    if (!webhook) throw notFound('Webhook');
    await this.webhooks.delete({ id: webhook.id });
    this.logger.info({ webhookId }, 'webhook deleted');
    return webhook.id;
  }

  private async validUrl(value: string): Promise<string> {
    try {
      const url = parseWebhookUrl(value, this.options.allowPrivateNetworks);
      await checkWebhookHost(url, this.options.allowPrivateNetworks);
      return url.toString();
    } catch (error) {
      if (!(error instanceof WebhookUrlError)) throw error;
      const code = error.problem === 'PRIVATE_ADDRESS' ? ErrorCode.WEBHOOK_URL_FORBIDDEN : ErrorCode.WEBHOOK_URL_INVALID;
      throw new DomainError(code, error.message, { field: 'url' });
    }
  }
}

function validEvents(events: readonly string[]): WebhookEventName[] {
  const distinct = [...new Set(events)];
  if (distinct.length === 0) throw new DomainError(ErrorCode.WEBHOOK_EVENTS_REQUIRED, 'A webhook needs at least one event', { field: 'events' });
  // The GraphQL enum already refuses unknown names; this guards other callers.
  if (distinct.some((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e))) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'events holds an unknown event', { field: 'events' });
  }
  return distinct as WebhookEventName[];
}

function validSecret(secret: string): string {
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH || secret.trim() !== secret) {
    throw new DomainError(ErrorCode.WEBHOOK_SECRET_INVALID, `secret must be ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} characters, without surrounding spaces (omit it to have one generated)`, {
      field: 'secret',
    });
  }
  return secret;
}

function validDescription(description: string | null | undefined): string | null {
  if (description == null) return null;
  const trimmed = description.trim();
  if (trimmed.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, `description must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters`, { field: 'description' });
  }
  return trimmed === '' ? null : trimmed;
}
