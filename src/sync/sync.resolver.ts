import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { assertRole, RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { Topic, type SyncRunChangedEvent } from '../events/topics';
import { loadersForEvent } from '../graphql/event-loaders';
import { liveSubscription, logSkippedMessage } from '../graphql/live-subscription';
import { ConnectionArgs, type ConnectionResult } from '../graphql/connection';
import { notFound } from '../errors/domain-error';
import { fromGlobalId } from '../graphql/global-id';
import { connectionArgsKey } from '../graphql/nested-connection';
import { registerNodeType } from '../graphql/node';
import { toDepToken } from '../tokens/token.resolver';
import { DepToken } from '../tokens/token.types';
import { changedEvent } from './sync-run.store';
import { nextFullSyncAt, nextManualSyncAt } from './sync.rules';
import { SyncDepTokenInput, SyncDepTokenPayload, SyncRun, SyncRunConnection, SyncRunOrder } from './sync.types';
import { selectsPath } from '../graphql/selection';

interface ProgressArgs {
  tokenId?: string | null;
}

/**
 * The subscription's guard (graphql-ws runs no Apollo plugin and no field middleware on
 * subscribe), then the live stream: with a tokenId, the token's current run first (queued or
 * running, else its latest), then each change; per event only the token asked for, visible to
 * this key now.
 */
function subscribeProgress({ args, context }: { args: ProgressArgs; context: RequestContext }): AsyncIterable<SyncRunChangedEvent> {
  assertRole(context, Role.READER);
  const tokenId = args.tokenId != null ? fromGlobalId(args.tokenId, 'DepToken', 'tokenId') : null;
  const { events, sync, clock } = context.services;
  return liveSubscription<SyncRunChangedEvent>({
    sources: [events.pubSub.subscribe(Topic.SYNC_RUN_CHANGED)],
    filter: async (payload) => {
      if (tokenId !== null && tokenId !== payload.tokenId) return false;
      if (context.scope.unrestricted) return true;
      // The event's loaders: one read per event and scope, not per subscriber, and `token` reuses it.
      return (await loadersForEvent(payload, context.services, context.scope).tokenById.load(payload.tokenId)) !== null;
    },
    onError: logSkippedMessage(context.logger, 'syncRunProgress'),
    initial: tokenId === null ? undefined : async () => {
      const run = await sync.reads.currentRun(tokenId, context.scope);
      return run ? [changedEvent(run, clock.now())] : [];
    },
  });
}

@Resolver(() => SyncRun)
export class SyncRunResolver {
  @Query(() => SyncRun, { nullable: true, description: 'A sync run of a visible token; null when absent or not visible' })
  @RequireRole(Role.READER)
  async syncRun(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<SyncRun | null> {
    const run = await ctx.loaders.syncRunById.load(fromGlobalId(id, 'SyncRun'));
    return run ? SyncRun.from(run) : null;
  }

  @Mutation(() => SyncDepTokenPayload, {
    description:
      'Queues a sync of the token with Apple. Refused with SYNC_IN_PROGRESS while one is queued or running, SYNC_RATE_LIMITED within ' +
      'MANUAL_SYNC_MIN_INTERVAL_S of the previous manual sync, FULL_SYNC_RATE_LIMITED within FULL_SYNC_MIN_INTERVAL_S of the previous ' +
      'full sync (both with extensions.retryAfterSeconds). Follow it with syncRunProgress.',
  })
  @RequireRole(Role.OPERATOR)
  async syncDepToken(@Arg('input') input: SyncDepTokenInput, @Ctx() ctx: RequestContext): Promise<SyncDepTokenPayload> {
    const tokenId = fromGlobalId(input.tokenId, 'DepToken', 'tokenId');
    const run = await ctx.services.sync.requests.requestManualSync(tokenId, input.full ?? false, ctx.scope, ctx.principal.apiKeyId ?? null);
    return { syncRun: SyncRun.from(run) };
  }

  @Subscription(() => SyncRun, {
    subscribe: subscribeProgress,
    description:
      'The sync run each time it changes (queued, running, after each page, final state), in order per run, for the given token or ' +
      'for every token this key may see. With tokenId, the token’s current run (queued or running, else its latest) comes first, ' +
      'so a view opened mid-sync starts from the truth. Delivery is best effort: after a reconnect, resubscribe (or read the run with syncRun).',
  })
  @RequireRole(Role.READER)
  async syncRunProgress(
    @Root() event: SyncRunChangedEvent,
    @Arg('tokenId', () => ID, { nullable: true, description: 'Only this token’s runs' }) _tokenId: string | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<SyncRun> {
    // One context serves the whole subscription: fresh loaders per event, so nothing cached at an
    // earlier event (a token's fields, its visibility) is served again; shared with the other
    // subscribers of this event with the same scope (one read per event, not per subscriber).
    ctx.loaders = loadersForEvent(event, ctx.services, ctx.scope);
    // The event names the run's token: when `token` is asked for, read it alongside the run rather
    // than after it (one round trip less before every subscriber hears of a page). Its own resolver
    // awaits this same load and reports its failure; the catch here only keeps it from floating.
    if (selectsPath(info, ['token'])) ctx.loaders.tokenById.load(event.tokenId).catch(() => undefined);
    const run = await ctx.loaders.syncRunById.load(event.runId);
    if (!run) throw notFound('Sync run');
    return SyncRun.fromEvent(run, event);
  }

  @FieldResolver(() => DepToken)
  async token(@Root() run: SyncRun, @Ctx() ctx: RequestContext): Promise<DepToken> {
    const token = await ctx.loaders.tokenById.load(run.tokenRowId);
    if (!token) throw notFound('DEP token');
    return toDepToken(ctx, token);
  }
}

@Resolver(() => DepToken)
export class DepTokenSyncResolver {
  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When the next manual sync may be requested; null when it may be now (unless a sync is in progress: see activeSyncRun)',
  })
  async nextManualSyncAt(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<Date | null> {
    const state = await ctx.loaders.syncStateByToken.load(token.rowId);
    return state ? nextManualSyncAt(state, ctx.services.sync.intervals, ctx.services.clock.now()) : null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When a full sync may next be requested; null when it may be now (also when depgate needs one: it then runs whatever is asked)',
  })
  async nextFullSyncAt(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<Date | null> {
    const state = await ctx.loaders.syncStateByToken.load(token.rowId);
    return state ? nextFullSyncAt(state, ctx.services.sync.intervals, ctx.services.clock.now()) : null;
  }

  @FieldResolver(() => SyncRun, { nullable: true, description: 'The sync queued or running now, if any' })
  async activeSyncRun(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<SyncRun | null> {
    const run = await ctx.loaders.activeSyncRunByToken.load(token.rowId);
    return run ? SyncRun.from(run) : null;
  }

  @FieldResolver(() => SyncRunConnection, { description: 'Sync runs of this token, newest first unless orderBy says otherwise' })
  async syncRuns(
    @Root() token: DepToken,
    @Arg('orderBy', () => SyncRunOrder, { nullable: true, description: 'Default: QUEUED_AT DESC' }) orderBy: SyncRunOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<SyncRun>> {
    const argsKey = connectionArgsKey({ ...args, orderBy });
    return (await ctx.loaders.syncRunsByToken(argsKey).load(token.rowId)).map(SyncRun.from);
  }
}

registerNodeType('SyncRun', async (ctx, ids) => {
  const runs = await ctx.loaders.syncRunById.loadMany(ids);
  return runs.map((r) => (r && !(r instanceof Error) ? SyncRun.from(r) : null));
});
