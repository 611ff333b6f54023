import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { assertRole, RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { Topic, type AlertRaisedEvent, type AlertResolvedEvent } from '../events/topics';
import { ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { badInput, notFound } from '../errors/domain-error';
import { fromGlobalId, parseGlobalId } from '../graphql/global-id';
import { loadersForEvent } from '../graphql/event-loaders';
import { liveSubscription, logSkippedMessage } from '../graphql/live-subscription';
import { registerNodeType } from '../graphql/node';
import { toDepToken } from '../tokens/token.resolver';
import type { DepToken } from '../tokens/token.types';
import { AppleBusinessAccount } from '../apple-business/account.types';
import { toVppToken } from '../vpp/vpp-token.resolver';
import type { VppToken } from '../vpp/vpp-token.types';
import { alertOrder } from './alert.order';
import { eventOf, type AlertFilterCommand } from './alert.service';
import { AcknowledgeAlertInput, Alert, AlertConnection, AlertFilter, AlertKind, AlertOrder, AlertPayload, AlertSubject } from './alert.types';

function filterCommand(filter: AlertFilter | null | undefined): AlertFilterCommand {
  const command: AlertFilterCommand = {
    status: filter?.status ?? 'ACTIVE',
    kinds: filter?.kinds ?? null,
    severities: filter?.severities ?? null,
    acknowledged: filter?.acknowledged ?? null,
  };
  if (filter?.subjectId) {
    const parsed = parseGlobalId(filter.subjectId);
    if (parsed?.type === 'DepToken') command.depTokenId = parsed.id;
    else if (parsed?.type === 'VppToken') command.vppTokenId = parsed.id;
    else if (parsed?.type === 'AppleBusinessAccount') command.appleBusinessAccountId = parsed.id;
    else throw badInput('subjectId must be the id of a DepToken, a VppToken or an AppleBusinessAccount', 'subjectId');
  }
  return command;
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => AlertConnection, {
    description:
      'Alerts about what this key may see (tokens, Apple Business API accounts; active ones unless the filter says otherwise), oldest first unless orderBy says otherwise',
  })
  @RequireRole(Role.READER)
  async alerts(
    @Arg('filter', () => AlertFilter, { nullable: true }) filter: AlertFilter | null,
    @Arg('orderBy', () => AlertOrder, { nullable: true, description: 'Default: RAISED_AT ASC' }) orderBy: AlertOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<Alert>> {
    const page = await paginate(ctx.services.alerts.listQuery(ctx.scope, filterCommand(filter)), alertOrder('a', orderBy), args);
    return page.map(Alert.from);
  }

  @FieldResolver(() => AlertSubject, { nullable: true, description: 'The DEP or VPP token (null once deleted; null for the push certificate and webhooks: see apnsCertificate and webhook)' })
  async subject(@Root() alert: Alert, @Ctx() ctx: RequestContext): Promise<DepToken | VppToken | null> {
    if (alert.depTokenRowId) {
      const token = await ctx.loaders.tokenById.load(alert.depTokenRowId);
      return token ? toDepToken(ctx, token) : null;
    }
    const token = alert.vppTokenRowId ? await ctx.loaders.vppTokenById.load(alert.vppTokenRowId) : null;
    return token ? toVppToken(ctx, token) : null;
  }

  @FieldResolver(() => AppleBusinessAccount, {
    nullable: true,
    description: 'The Apple School or Business API account an APPLE_BUSINESS_* alert is about (null for other kinds, or once disconnected)',
  })
  async appleBusinessAccount(@Root() alert: Alert, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccount | null> {
    if (!alert.appleBusinessAccountRowId) return null;
    const account = await ctx.loaders.appleBusinessAccountById.load(alert.appleBusinessAccountRowId);
    return account ? AppleBusinessAccount.from(account) : null;
  }

  @Mutation(() => AlertPayload, { description: 'Records that someone is on it; the alert stays active until its cause goes away' })
  @RequireRole(Role.OPERATOR)
  async acknowledgeAlert(@Arg('input') input: AcknowledgeAlertInput, @Ctx() ctx: RequestContext): Promise<AlertPayload> {
    const alert = await ctx.services.alerts.acknowledge(fromGlobalId(input.alertId, 'Alert', 'alertId'), ctx.principal, ctx.scope);
    return { alert: Alert.from(alert) };
  }

  /**
   * Each alert as it is raised, on any instance. graphql-ws runs no Apollo plugins, so visibility
   * is checked here, per event, against the current scope tags of the alert's token. With a
   * subjectId, the token's active alerts come first (a token page starts from the truth).
   */
  @Subscription(() => Alert, {
    subscribe: (data: AlertSubscribeData) => subscribeAlerts(Topic.ALERT_RAISED, data),
    description:
      'Alerts as they are raised (each crossing once), only about what this key may see. With subjectId, that subject’s alerts ' +
      'only, and its active alerts (of the kinds asked for) first',
  })
  @RequireRole(Role.READER)
  async alertRaised(
    @Root() event: AlertRaisedEvent,
    @Arg('kinds', () => [AlertKind], { nullable: true, description: 'Only these kinds; at most as many as there are kinds' }) _kinds: AlertKind[] | null,
    @Arg('subjectId', () => ID, { nullable: true, description: 'A DepToken, VppToken or AppleBusinessAccount id: only alerts about it' }) _subjectId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Alert> {
    return alertOfEvent(ctx, event);
  }

  /**
   * The counterpart of alertRaised rather than one alertChanged: the two transitions an alert list
   * acts on (add a row, drop a row) each get their stream with the same filters, and clients
   * already on alertRaised keep working unchanged. The Alert carries its state (active false,
   * resolvedAt, resolution), so a normalising cache updates the row it holds.
   */
  @Subscription(() => Alert, {
    subscribe: (data: AlertSubscribeData) => subscribeAlerts(Topic.ALERT_RESOLVED, data),
    description:
      'Alerts as they are resolved (the cause went away, or a more urgent alert of the same family superseded it: see resolution), ' +
      'only about what this key may see; with subjectId, about that subject only',
  })
  @RequireRole(Role.READER)
  async alertResolved(
    @Root() event: AlertResolvedEvent,
    @Arg('kinds', () => [AlertKind], { nullable: true, description: 'Only these kinds; at most as many as there are kinds' }) _kinds: AlertKind[] | null,
    @Arg('subjectId', () => ID, { nullable: true, description: 'A DepToken, VppToken or AppleBusinessAccount id: only alerts about it' }) _subjectId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Alert> {
    return alertOfEvent(ctx, event);
  }
}

interface AlertSubscribeData {
  args: { kinds?: AlertKind[] | null; subjectId?: string | null };
  context: RequestContext;
}

/**
 * The guard (graphql-ws runs no field middleware on subscribe), then the stream: per event the
 * kinds and subject asked for, about a token this key may see now; for alertRaised with a
 * subjectId, the subject's active alerts first.
 */
function subscribeAlerts(topic: typeof Topic.ALERT_RAISED | typeof Topic.ALERT_RESOLVED, { args, context }: AlertSubscribeData): AsyncIterable<AlertRaisedEvent> {
  assertRole(context, Role.READER);
  const subject = args.subjectId != null ? filterCommand({ subjectId: args.subjectId }) : null;
  const kinds = args.kinds?.length ? args.kinds : null;
  const { alerts, events } = context.services;
  const isAbout = (e: AlertRaisedEvent) =>
    !subject ||
    (subject.depTokenId
      ? e.tokenId === subject.depTokenId
      : subject.vppTokenId
        ? e.vppTokenId === subject.vppTokenId
        : e.appleBusinessAccountId === subject.appleBusinessAccountId);
  return liveSubscription<AlertRaisedEvent>({
    sources: [events.pubSub.subscribe(topic)],
    filter: async (e) => (!kinds || kinds.includes(e.kind as AlertKind)) && isAbout(e) && alerts.canSee(e, context.scope),
    onError: logSkippedMessage(context.logger, topic),
    initial:
      topic !== Topic.ALERT_RAISED || !subject
        ? undefined
        : async () => {
            const active = await alerts.listQuery(context.scope, { ...subject, status: 'ACTIVE', kinds }).orderBy('a.raised_at', 'ASC').getMany();
            return active.map(eventOf);
          },
  });
}

async function alertOfEvent(ctx: RequestContext, event: AlertRaisedEvent): Promise<Alert> {
  // Fresh loaders per event: one subscription's context lives for hours, its caches must not;
  // shared with the other subscribers of this event with the same scope (one read per event).
  ctx.loaders = loadersForEvent(event, ctx.services, ctx.scope);
  const alert = await ctx.loaders.alertById.load(event.alertId);
  if (!alert) throw notFound('Alert');
  return Alert.from(alert);
}

registerNodeType('Alert', async (ctx, ids) => {
  const alerts = await ctx.loaders.alertById.loadMany(ids);
  return alerts.map((a) => (a && !(a instanceof Error) ? Alert.from(a) : null));
});
