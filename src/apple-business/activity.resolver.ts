import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { assertRole, RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { notFound } from '../errors/domain-error';
import { Topic, type OrgDeviceActivityChangedEvent } from '../events/topics';
import { ConnectionArgs, ascending, paginate, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId } from '../graphql/global-id';
import { liveSubscription, logSkippedMessage } from '../graphql/live-subscription';
import { registerNodeType } from '../graphql/node';
import { createLoaders } from '../loaders';
import { accountId } from './account.resolver';
import { AppleBusinessAccount } from './account.types';
import type { DeviceSelection } from './activity.service';
import {
  AssignDevicesToMdmServerInput,
  CancelMigrationInput,
  CreateMdmServerAtAppleInput,
  MdmServerPayload,
  OrgDeviceActivity,
  OrgDeviceActivityConnection,
  OrgDeviceActivityPayload,
  ReleaseDevicesInput,
  SetDefaultMdmServerInput,
  SetDefaultMdmServerPayload,
  UnassignDevicesFromMdmServerInput,
  UpdateMigrationDeadlineInput,
} from './activity.types';
import { MdmServer } from './inventory.types';
import type { OrgDeviceActivityEntity } from './org-device-activity.entity';

const selection = (input: DeviceSelection): DeviceSelection => ({ serialNumbers: input.serialNumbers, orderNumbers: input.orderNumbers, csv: input.csv });
const serverId = (id: string) => fromGlobalId(id, 'MdmServer', 'mdmServerId');
const payload = (activity: OrgDeviceActivityEntity): OrgDeviceActivityPayload => ({ orgDeviceActivity: OrgDeviceActivity.from(activity) });

export const NEXT_STEP_AFTER_CREATE =
  "Download the server token (.p7m) of this server in Apple Business Manager (Preferences > your MDM server > Download Token) and upload it with uploadDepToken and this key pair: the token is the one step Apple's API does not offer.";

function subscribeActivities({ args, context }: { args: { accountId: string }; context: RequestContext }): AsyncIterable<OrgDeviceActivityChangedEvent> {
  assertRole(context, Role.READER);
  const wanted = accountId(args.accountId);
  return liveSubscription<OrgDeviceActivityChangedEvent>({
    sources: [context.services.events.pubSub.subscribe(Topic.ORG_DEVICE_ACTIVITY_CHANGED)],
    filter: async (e) => e.accountId === wanted && (await context.services.appleBusinessAccounts.findVisible(wanted, context.scope)) !== null,
    onError: logSkippedMessage(context.logger, 'orgDeviceActivityProgress'),
  });
}

@Resolver(() => OrgDeviceActivity)
export class OrgDeviceActivityResolver {
  @Query(() => OrgDeviceActivityConnection, { description: "The account's device activities created through depgate, oldest first" })
  @RequireRole(Role.READER)
  async orgDeviceActivities(@Arg('accountId', () => ID) id: string, @Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<OrgDeviceActivity>> {
    const account = await ctx.services.appleBusinessAccounts.requireVisible(accountId(id), ctx.scope);
    const page = await paginate(
      ctx.services.appleBusinessActivities.listQuery(account.id),
      ascending([
        { sql: 'oa.created_at', value: (a: OrgDeviceActivityEntity) => a.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'oa.id', value: (a: OrgDeviceActivityEntity) => a.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map(OrgDeviceActivity.from);
  }

  @FieldResolver(() => AppleBusinessAccount)
  async account(@Root() activity: OrgDeviceActivity, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccount> {
    const account = await ctx.loaders.appleBusinessAccountById.load(activity.accountId);
    if (!account) throw notFound('Apple Business account');
    return AppleBusinessAccount.from(account);
  }

  @FieldResolver(() => MdmServer, { nullable: true })
  async mdmServer(@Root() activity: OrgDeviceActivity, @Ctx() ctx: RequestContext): Promise<MdmServer | null> {
    if (!activity.mdmServerAppleId) return null;
    const server = await ctx.loaders.mdmServerByAppleKey.load(`${activity.accountId}:${activity.mdmServerAppleId}`);
    return server ? MdmServer.from(server) : null;
  }

  @Subscription(() => OrgDeviceActivity, {
    subscribe: subscribeActivities,
    description: "An account's device activity each time it changes: created, a new status from Apple, completed (with outcomes)",
  })
  @RequireRole(Role.READER)
  async orgDeviceActivityProgress(
    @Root() event: OrgDeviceActivityChangedEvent,
    @Arg('accountId', () => ID) _accountId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<OrgDeviceActivity> {
    ctx.loaders = createLoaders(ctx.services, ctx.scope);
    const activity = await ctx.loaders.orgDeviceActivityById.load(event.activityId);
    if (!activity) throw notFound('Org device activity');
    return OrgDeviceActivity.from(activity);
  }

  @Mutation(() => MdmServerPayload, {
    description:
      "Creates an MDM server at Apple with the key pair's certificate (the first half of the token wizard, without the portal); then download its token in the portal and upload it",
  })
  @RequireRole(Role.ADMIN)
  async createMdmServerAtApple(@Arg('input') input: CreateMdmServerAtAppleInput, @Ctx() ctx: RequestContext): Promise<MdmServerPayload> {
    const keyPair = await ctx.loaders.keyPairById.load(fromGlobalId(input.keyPairId, 'DepTokenKeyPair', 'keyPairId'));
    if (!keyPair) throw notFound('Key pair');
    const server = await ctx.services.appleBusinessActivities.createServer(accountId(input.accountId), input.name, keyPair.certificatePem, ctx.scope);
    return { mdmServer: MdmServer.from(server), nextStep: NEXT_STEP_AFTER_CREATE };
  }

  @Mutation(() => SetDefaultMdmServerPayload, { description: "New devices of these product families go to this server (Apple's defaultProductFamilies)" })
  @RequireRole(Role.ADMIN)
  async setDefaultMdmServer(@Arg('input') input: SetDefaultMdmServerInput, @Ctx() ctx: RequestContext): Promise<SetDefaultMdmServerPayload> {
    return { mdmServer: MdmServer.from(await ctx.services.appleBusinessActivities.setDefault(serverId(input.mdmServerId), input.productFamilies, ctx.scope)) };
  }

  @Mutation(() => OrgDeviceActivityPayload, { description: 'Assigns devices to the server at Apple (a device activity); with migrationDeadline, an MDM migration' })
  @RequireRole(Role.OPERATOR)
  async assignDevicesToMdmServer(@Arg('input') input: AssignDevicesToMdmServerInput, @Ctx() ctx: RequestContext): Promise<OrgDeviceActivityPayload> {
    return payload(await ctx.services.appleBusinessActivities.assign(serverId(input.mdmServerId), selection(input), input.migrationDeadline ?? null, ctx.scope));
  }

  @Mutation(() => OrgDeviceActivityPayload, { description: 'Unassigns devices from the server at Apple (a device activity)' })
  @RequireRole(Role.OPERATOR)
  async unassignDevicesFromMdmServer(@Arg('input') input: UnassignDevicesFromMdmServerInput, @Ctx() ctx: RequestContext): Promise<OrgDeviceActivityPayload> {
    return payload(await ctx.services.appleBusinessActivities.unassign(serverId(input.mdmServerId), selection(input), ctx.scope));
  }

  @Mutation(() => OrgDeviceActivityPayload, { description: 'Moves the MDM migration deadline of devices (a device activity)' })
  @RequireRole(Role.OPERATOR)
  async updateMigrationDeadline(@Arg('input') input: UpdateMigrationDeadlineInput, @Ctx() ctx: RequestContext): Promise<OrgDeviceActivityPayload> {
    return payload(await ctx.services.appleBusinessActivities.updateDeadline(accountId(input.accountId), selection(input), input.migrationDeadline, ctx.scope));
  }

  @Mutation(() => OrgDeviceActivityPayload, { description: 'Cancels the MDM migration of devices (a device activity)' })
  @RequireRole(Role.OPERATOR)
  async cancelMigration(@Arg('input') input: CancelMigrationInput, @Ctx() ctx: RequestContext): Promise<OrgDeviceActivityPayload> {
    return payload(await ctx.services.appleBusinessActivities.cancelMigration(accountId(input.accountId), selection(input), ctx.scope));
  }

  @Mutation(() => OrgDeviceActivityPayload, { description: 'Releases devices from the organisation at Apple, for good (confirm: true required; Apple Business only)' })
  @RequireRole(Role.ADMIN)
  async releaseDevices(@Arg('input') input: ReleaseDevicesInput, @Ctx() ctx: RequestContext): Promise<OrgDeviceActivityPayload> {
    return payload(await ctx.services.appleBusinessActivities.release(accountId(input.accountId), selection(input), input.confirm, ctx.scope));
  }
}

registerNodeType('OrgDeviceActivity', async (ctx, ids) => {
  const rows = await ctx.loaders.orgDeviceActivityById.loadMany(ids);
  return rows.map((r) => (r && !(r instanceof Error) ? OrgDeviceActivity.from(r) : null));
});
