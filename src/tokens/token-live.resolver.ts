/**
 * `depTokenChanged(id)`: tells a token list or page when to refetch, with the token as it is now.
 *
 * A token's visible state changes through several features, and each already announces its own
 * change on the events channel; rather than publish a second event from every one of them, this
 * stream merges those topics:
 * - DEP_TOKEN_CHANGED: upload, renewal, update (name, scope tags);
 * - SYNC_RUN_CHANGED when a run is queued, starts or ends (activeSyncRun, nextManualSyncAt,
 *   nextFullSyncAt, syncedDeviceCount, lastSuccessfulSyncAt, lastSyncError, status after Apple
 *   refused the token); page events are skipped (nothing on the token moves per page);
 * - ALERT_RAISED / ALERT_RESOLVED about the token (expiry crossings are when status turns
 *   EXPIRING_SOON or EXPIRED).
 * A deleted token is no longer visible, so its events are dropped (the deleting client has
 * deleteDepToken's payload; other views learn it at their next refetch).
 */
import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { assertRole, RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { notFound } from '../errors/domain-error';
import { Topic } from '../events/topics';
import { fromGlobalId } from '../graphql/global-id';
import { loadersForEvent } from '../graphql/event-loaders';
import { liveSubscription, logSkippedMessage } from '../graphql/live-subscription';
import { toDepToken } from './token.resolver';
import { DepToken } from './token.types';

/** What the merged topics have in common: the token, and for sync runs the step. */
interface TokenTouch {
  tokenId?: string;
  status?: string;
  pagesFetched?: number;
}

function subscribeTokenChanges({ args, context }: { args: { id?: string | null }; context: RequestContext }): AsyncIterable<TokenTouch> {
  assertRole(context, Role.READER);
  const tokenId = args.id != null ? fromGlobalId(args.id, 'DepToken', 'id') : null;
  const { events, depTokens } = context.services;
  const topics = [Topic.DEP_TOKEN_CHANGED, Topic.SYNC_RUN_CHANGED, Topic.ALERT_RAISED, Topic.ALERT_RESOLVED] as const;
  return liveSubscription<TokenTouch>({
    sources: topics.map((topic) => events.pubSub.subscribe(topic) as AsyncIterable<TokenTouch>),
    filter: async (touch) => {
      if (!touch.tokenId || (tokenId !== null && touch.tokenId !== tokenId)) return false;
      if (touch.status === 'RUNNING' && (touch.pagesFetched ?? 0) > 0) return false;
      // Also drops events of a token deleted since (it is no longer found). Read through the
      // event's loaders: once per event and scope, not per subscriber, and the resolver reuses it.
      return (await loadersForEvent(touch, context.services, context.scope).tokenById.load(touch.tokenId)) !== null;
    },
    onError: logSkippedMessage(context.logger, 'depTokenChanged'),
    initial:
      tokenId === null
        ? undefined
        : async () => ((await depTokens.findVisible(tokenId, context.scope)) ? [{ tokenId }] : []),
  });
}

@Resolver(() => DepToken)
export class DepTokenLiveResolver {
  @Subscription(() => DepToken, {
    subscribe: subscribeTokenChanges,
    description:
      'A DEP token each time something a list or page shows may have changed: upload, renewal, update, a sync queued, started or ' +
      'ended (status, sync availability, counts), an alert raised or resolved about it (expiry). With id, that token only, and ' +
      'the token as it is now comes first; without, every token this key may see. Deletions are not sent.',
  })
  @RequireRole(Role.READER)
  async depTokenChanged(
    @Root() touch: TokenTouch,
    @Arg('id', () => ID, { nullable: true, description: 'Only this token' }) _id: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<DepToken> {
    // Fresh loaders per event: the token as it is at this event, not as first loaded; shared with
    // the other subscribers of this event with the same scope (one read per event).
    ctx.loaders = loadersForEvent(touch, ctx.services, ctx.scope);
    const token = await ctx.loaders.tokenById.load(touch.tokenId!);
    if (!token) throw notFound('DEP token');
    return toDepToken(ctx, token);
  }
}
