import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { Topic, type AlertRaisedEvent, type AlertResolvedEvent } from '../events/topics';
import { ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { badInput, notFound } from '../errors/domain-error';
import { fromGlobalId, parseGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import { createLoaders } from '../loaders';
import { toDepToken } from '../tokens/token.resolver';
import type { DepToken } from '../tokens/token.types';
import { toVppToken } from '../vpp/vpp-token.resolver';
import type { VppToken } from '../vpp/vpp-token.types';
import { alertOrder } from './alert.order';
import type { AlertFilterCommand } from './alert.service';
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
    else throw badInput('subjectId must be the id of a DepToken or a VppToken', 'subjectId');
  }
  return command;
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => AlertConnection, {
    description: 'Alerts about tokens this key may see (active ones unless the filter says otherwise), oldest first unless orderBy says otherwise',
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

  @FieldResolver(() => AlertSubject, { nullable: true, description: 'The DEP or VPP token (null once deleted)' })
  async subject(@Root() alert: Alert, @Ctx() ctx: RequestContext): Promise<DepToken | VppToken | null> {
    if (alert.depTokenRowId) {
      const token = await ctx.loaders.tokenById.load(alert.depTokenRowId);
      return token ? toDepToken(ctx, token) : null;
    }
    const token = alert.vppTokenRowId ? await ctx.loaders.vppTokenById.load(alert.vppTokenRowId) : null;
    return token ? toVppToken(ctx, token) : null;
  }

  @Mutation(() => AlertPayload, { description: 'Records that someone is on it; the alert stays active until its cause goes away' })
  @RequireRole(Role.OPERATOR)
  async acknowledgeAlert(@Arg('input') input: AcknowledgeAlertInput, @Ctx() ctx: RequestContext): Promise<AlertPayload> {
    const alert = await ctx.services.alerts.acknowledge(fromGlobalId(input.alertId, 'Alert', 'alertId'), ctx.principal, ctx.scope);
    return { alert: Alert.from(alert) };
  }

  /**
   * Each alert as it is raised, on any instance. graphql-ws runs no Apollo plugins, so visibility
   * is checked here, per event, against the current scope tags of the alert's token.
   */
  @Subscription(() => Alert, {
    topics: Topic.ALERT_RAISED,
    filter: alertEventFilter,
    description: 'Alerts as they are raised (each crossing once), only about tokens this key may see',
  })
  @RequireRole(Role.READER)
  async alertRaised(
    @Root() event: AlertRaisedEvent,
    @Arg('kinds', () => [AlertKind], { nullable: true, description: 'Only these kinds; at most as many as there are kinds' }) _kinds: AlertKind[] | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Alert> {
    return alertOfEvent(ctx, event);
  }

  /**
   * The counterpart of alertRaised rather than one alertChanged: the two transitions an alert list
   * acts on (add a row, drop a row) each get their stream with the same kinds filter, and clients
   * already on alertRaised keep working unchanged. The Alert carries its state (active false,
   * resolvedAt, resolution), so a normalising cache updates the row it holds.
   */
  @Subscription(() => Alert, {
    topics: Topic.ALERT_RESOLVED,
    filter: alertEventFilter,
    description:
      'Alerts as they are resolved (the cause went away, or a more urgent alert of the same family superseded it: see resolution), ' +
      'only about tokens this key may see',
  })
  @RequireRole(Role.READER)
  async alertResolved(
    @Root() event: AlertResolvedEvent,
    @Arg('kinds', () => [AlertKind], { nullable: true, description: 'Only these kinds; at most as many as there are kinds' }) _kinds: AlertKind[] | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Alert> {
    return alertOfEvent(ctx, event);
  }
}

/** Per event and per subscriber: the kinds asked for, about a token this key may see now. */
async function alertEventFilter({ payload, args, context }: { payload: AlertRaisedEvent; args: { kinds?: AlertKind[] | null }; context: RequestContext }): Promise<boolean> {
  if (args.kinds?.length && !args.kinds.includes(payload.kind as AlertKind)) return false;
  return context.services.alerts.canSee(payload, context.scope);
}

async function alertOfEvent(ctx: RequestContext, event: AlertRaisedEvent): Promise<Alert> {
  // Fresh loaders per event: one subscription's context lives for hours, its caches must not.
  ctx.loaders = createLoaders(ctx.services, ctx.scope);
  const alert = await ctx.loaders.alertById.load(event.alertId);
  if (!alert) throw notFound('Alert');
  return Alert.from(alert);
}

registerNodeType('Alert', async (ctx, ids) => {
  const alerts = await ctx.loaders.alertById.loadMany(ids);
  return alerts.map((a) => (a && !(a instanceof Error) ? Alert.from(a) : null));
});
