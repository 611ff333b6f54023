import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Alert } from '../alerts/alert.types';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ascending, ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { notFound } from '../errors/domain-error';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import {
  CreateWebhookInput,
  CreateWebhookPayload,
  DeleteWebhookInput,
  DeleteWebhookPayload,
  UpdateWebhookInput,
  Webhook,
  WebhookConnection,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookDeliveryStatus,
  WebhookPayload,
} from './webhook.types';

const toWebhook = (ctx: RequestContext, entity: WebhookEntity) =>
  Webhook.from(entity, ctx.scope.unrestricted ? entity.scopeTagIds : entity.scopeTagIds.filter((id) => ctx.scope.scopeTagIds.includes(id)));

const scopeTagIds = (ids: string[] | null | undefined) => (ids == null ? ids : ids.map((id) => fromGlobalId(id, 'ScopeTag', 'scopeTagIds')));

@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => WebhookConnection, { description: 'Webhooks this key may see (with scope tags: those sharing one), oldest first' })
  @RequireRole(Role.ADMIN)
  async webhooks(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<Webhook>> {
    const page = await paginate(
      ctx.services.webhooks.listQuery(ctx.scope),
      ascending([
        { sql: 'w.created_at', value: (w: WebhookEntity) => w.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'w.id', value: (w: WebhookEntity) => w.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map((w) => toWebhook(ctx, w));
  }

  @Query(() => WebhookDeliveryConnection, { description: "A webhook's delivery log, oldest first (what was sent, attempts, the last response code)" })
  @RequireRole(Role.ADMIN)
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<WebhookDelivery>> {
    const webhook = await ctx.services.webhooks.findVisible(fromGlobalId(webhookId, 'Webhook', 'webhookId'), ctx.scope);
    if (!webhook) throw notFound('Webhook');
    const page = await paginate(
      ctx.services.webhooks.deliveriesQuery(webhook.id, status),
      ascending([
        { sql: 'd.created_at', value: (d: WebhookDeliveryEntity) => d.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'd.id', value: (d: WebhookDeliveryEntity) => d.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map(WebhookDelivery.from);
  }

  @Mutation(() => CreateWebhookPayload, { description: 'Registers a webhook; its signing secret is in the payload, this once' })
  @RequireRole(Role.ADMIN)
  async createWebhook(@Arg('input') input: CreateWebhookInput, @Ctx() ctx: RequestContext): Promise<CreateWebhookPayload> {
    const { webhook, secret } = await ctx.services.webhooks.create(
      { url: input.url, events: input.events, scopeTagIds: scopeTagIds(input.scopeTagIds), secret: input.secret, description: input.description },
      ctx.principal,
      ctx.scope,
    );
    return { webhook: toWebhook(ctx, webhook), secret };
  }

  @Mutation(() => WebhookPayload)
  @RequireRole(Role.ADMIN)
  async updateWebhook(@Arg('input') input: UpdateWebhookInput, @Ctx() ctx: RequestContext): Promise<WebhookPayload> {
    const webhook = await ctx.services.webhooks.update(
      {
        webhookId: fromGlobalId(input.webhookId, 'Webhook', 'webhookId'),
        url: input.url,
        events: input.events,
        scopeTagIds: scopeTagIds(input.scopeTagIds),
        secret: input.secret,
        description: input.description,
        enabled: input.enabled,
      },
      ctx.scope,
    );
    return { webhook: toWebhook(ctx, webhook) };
  }

  @Mutation(() => DeleteWebhookPayload, { description: 'Deletes the webhook and its delivery log' })
  @RequireRole(Role.ADMIN)
  async deleteWebhook(@Arg('input') input: DeleteWebhookInput, @Ctx() ctx: RequestContext): Promise<DeleteWebhookPayload> {
    const id = await ctx.services.webhooks.delete(fromGlobalId(input.webhookId, 'Webhook', 'webhookId'), ctx.scope);
    return { deletedWebhookId: toGlobalId('Webhook', id) };
  }
}

@Resolver(() => Alert)
export class AlertWebhookResolver {
  @FieldResolver(() => Webhook, { nullable: true, description: 'The webhook a WEBHOOK_DISABLED alert is about (null for other kinds, once deleted, or for a key that may not see it)' })
  async webhook(@Root() alert: Alert, @Ctx() ctx: RequestContext): Promise<Webhook | null> {
    if (!alert.webhookRowId || ctx.principal.role !== 'ADMIN') return null;
    const webhook = await ctx.loaders.webhookById.load(alert.webhookRowId);
    return webhook ? toWebhook(ctx, webhook) : null;
  }
}

registerNodeType('Webhook', async (ctx, ids) => {
  // Webhooks are an ADMIN's business: other roles resolve them to null.
  if (ctx.principal.role !== 'ADMIN') return ids.map(() => null);
  const webhooks = await ctx.loaders.webhookById.loadMany(ids);
  return webhooks.map((w) => (w && !(w instanceof Error) ? toWebhook(ctx, w) : null));
});
