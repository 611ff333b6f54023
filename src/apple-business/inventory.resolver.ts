import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { Device } from '../devices/device.types';
import { badInput, notFound } from '../errors/domain-error';
import { ascending, paginate, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import { toDepToken } from '../tokens/token.resolver';
import { DepToken } from '../tokens/token.types';
import { AppleBusinessAccount } from './account.types';
import { accountId } from './account.resolver';
import {
  MdmServer,
  OrgDevice,
  OrgDeviceConnection,
  OrgDevicePayload,
  OrgDevicesArgs,
  RefreshOrgDeviceAppleCareCoverageInput,
  SyncAppleBusinessInventoryInput,
  SyncAppleBusinessInventoryPayload,
} from './inventory.types';
import { mdmServerAppleIdOf } from './mdm-server.entity';
import type { OrgDeviceEntity } from './org-device.entity';

const MAX_PREFIX = 20;

@Resolver(() => OrgDevice)
export class OrgDeviceResolver {
  @Query(() => OrgDeviceConnection, { description: "The organisation's devices as Apple lists them (the account's mirror), by serial number" })
  @RequireRole(Role.READER)
  async orgDevices(@Args() args: OrgDevicesArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<OrgDevice>> {
    const account = await ctx.services.appleBusinessAccounts.requireVisible(accountId(args.accountId), ctx.scope);
    const filter = args.filter ?? {};
    if (filter.serialNumberPrefix != null && filter.serialNumberPrefix.length > MAX_PREFIX) throw badInput(`serialNumberPrefix is at most ${MAX_PREFIX} characters`, 'filter.serialNumberPrefix');
    for (const [key, value] of [['productFamily', filter.productFamily], ['orderNumber', filter.orderNumber]] as const) {
      if (value != null && value.length > 100) throw badInput(`${key} is at most 100 characters`, `filter.${key}`);
    }
    let serverAppleId: string | null = null;
    if (filter.mdmServerId != null) {
      const server = await ctx.loaders.mdmServerById.load(fromGlobalId(filter.mdmServerId, 'MdmServer', 'filter.mdmServerId'));
      if (!server || server.accountId !== account.id) throw notFound('MDM server');
      serverAppleId = server.appleId;
    }
    const page = await paginate(
      ctx.services.appleBusinessInventory.deviceQuery(account.id, filter, serverAppleId),
      ascending([
        { sql: 'od.serial_number', value: (d: OrgDeviceEntity) => d.serialNumber, cast: 'text' },
        { sql: 'od.id', value: (d: OrgDeviceEntity) => d.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map(OrgDevice.from);
  }

  @FieldResolver(() => AppleBusinessAccount)
  async account(@Root() device: OrgDevice, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccount> {
    const account = await ctx.loaders.appleBusinessAccountById.load(device.accountId);
    if (!account) throw notFound('Apple Business account');
    return AppleBusinessAccount.from(account);
  }

  @FieldResolver(() => MdmServer, { nullable: true, description: 'The MDM server Apple has the device assigned to' })
  async assignedServer(@Root() device: OrgDevice, @Ctx() ctx: RequestContext): Promise<MdmServer | null> {
    if (!device.assignedServerAppleId) return null;
    const server = await ctx.loaders.mdmServerByAppleKey.load(`${device.accountId}:${device.assignedServerAppleId}`);
    return server ? MdmServer.from(server) : null;
  }

  @Mutation(() => OrgDevicePayload, { description: "Reads the device's AppleCare coverage from Apple now and keeps it in the mirror" })
  @RequireRole(Role.OPERATOR)
  async refreshOrgDeviceAppleCareCoverage(@Arg('input') input: RefreshOrgDeviceAppleCareCoverageInput, @Ctx() ctx: RequestContext): Promise<OrgDevicePayload> {
    const device = await ctx.loaders.orgDeviceById.load(fromGlobalId(input.orgDeviceId, 'OrgDevice', 'orgDeviceId'));
    if (!device) throw notFound('Org device');
    const account = await ctx.services.appleBusinessAccounts.requireVisible(device.accountId, ctx.scope);
    return { orgDevice: OrgDevice.from(await ctx.services.appleBusinessInventory.refreshAppleCare(account, device)) };
  }

  @Mutation(() => SyncAppleBusinessInventoryPayload, { description: 'Queues a complete inventory mirror of the account now (also done hourly and after each connect)' })
  @RequireRole(Role.OPERATOR)
  async syncAppleBusinessInventory(@Arg('input') input: SyncAppleBusinessInventoryInput, @Ctx() ctx: RequestContext): Promise<SyncAppleBusinessInventoryPayload> {
    const account = await ctx.services.appleBusinessAccounts.requireVisible(accountId(input.accountId), ctx.scope);
    const sent = await ctx.services.jobs.send('apple-business-inventory', { accountId: account.id }, { singletonKey: account.id });
    return { queued: sent.queued };
  }
}

@Resolver(() => MdmServer)
export class MdmServerResolver {
  @Query(() => [MdmServer], { description: "The organisation's MDM servers, read from Apple now (name, type, device count, default product families, last connected)" })
  @RequireRole(Role.READER)
  async mdmServers(@Arg('accountId', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<MdmServer[]> {
    const account = await ctx.services.appleBusinessAccounts.requireVisible(accountId(id), ctx.scope);
    return (await ctx.services.appleBusinessInventory.refreshServers(account)).map(MdmServer.from);
  }

  @FieldResolver(() => AppleBusinessAccount)
  async account(@Root() server: MdmServer, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccount> {
    const account = await ctx.loaders.appleBusinessAccountById.load(server.accountId);
    if (!account) throw notFound('Apple Business account');
    return AppleBusinessAccount.from(account);
  }

  @FieldResolver(() => DepToken, { nullable: true, description: 'The DEP token of this server (its server uuid is the same server), when one is uploaded' })
  async depToken(@Root() server: MdmServer, @Ctx() ctx: RequestContext): Promise<DepToken | null> {
    const token = await ctx.loaders.depTokenByServerAppleId.load(server.appleId);
    return token ? toDepToken(ctx, token) : null;
  }
}

@Resolver(() => Device)
export class DeviceOrgDeviceResolver {
  @FieldResolver(() => OrgDevice, { nullable: true, description: 'The device as the Apple School and Business API lists it (same serial), when an account mirrors it' })
  async orgDevice(@Root() device: Device, @Ctx() ctx: RequestContext): Promise<OrgDevice | null> {
    const found = await ctx.loaders.orgDeviceBySerial.load(device.serialNumber);
    return found ? OrgDevice.from(found) : null;
  }
}

@Resolver(() => DepToken)
export class DepTokenMdmServerResolver {
  @FieldResolver(() => MdmServer, { nullable: true, description: "This token's MDM server as the Apple School and Business API lists it (matched by server)" })
  async mdmServer(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<MdmServer | null> {
    const server = await ctx.loaders.mdmServerByDepServer.load(mdmServerAppleIdOf(token.serverUuid));
    return server ? MdmServer.from(server) : null;
  }
}

registerNodeType('OrgDevice', async (ctx, ids) => {
  const rows = await ctx.loaders.orgDeviceById.loadMany(ids);
  return rows.map((r) => (r && !(r instanceof Error) ? OrgDevice.from(r) : null));
});

registerNodeType('MdmServer', async (ctx, ids) => {
  const rows = await ctx.loaders.mdmServerById.loadMany(ids);
  return rows.map((r) => (r && !(r instanceof Error) ? MdmServer.from(r) : null));
});
