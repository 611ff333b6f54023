import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import { EnrollmentProfile } from '../profiles/profile.types';
import { toDepToken } from '../tokens/token.resolver';
import { DepToken } from '../tokens/token.types';
import {
  AssignEnrollmentProfileInput,
  AssignEnrollmentProfilePayload,
  DeleteDeviceInput,
  DeleteDevicePayload,
  Device,
  DeviceConnection,
  DeviceFilter,
  DeviceOrder,
  DEVICE_ORDER_ARG,
  ImportDeviceSerialsInput,
  ImportDeviceSerialsPayload,
  RefreshDeviceDetailsInput,
  RefreshDeviceDetailsPayload,
  DeviceDetailsStatus,
  RemoveEnrollmentProfileInput,
  RemoveEnrollmentProfilePayload,
  type SerialAssignmentResult,
  type AssignmentStatus,
} from './device.types';
import type { AssignmentOutcome } from './assignment.service';
import { nestedDevicesKey } from './device.loaders';
import { joinedDeviceRelations } from './device-joined-relations';
import { prefetchDeviceRelations } from './device-prefetch';
import { DEVICE_NODE_PATH, deviceColumnsFor } from './device-projection';
import { deviceOrder } from './device.order';
import type { DeviceFilterCommand } from './device.service';


/** The filter with global ids parsed (BAD_USER_INPUT for an id of the wrong type). */
export function deviceFilterCommand(filter: DeviceFilter | null | undefined): DeviceFilterCommand {
  if (!filter) return {};
  return {
    tokenId: filter.tokenId ? fromGlobalId(filter.tokenId, 'DepToken', 'filter.tokenId') : null,
    profileId: filter.profileId ? fromGlobalId(filter.profileId, 'EnrollmentProfile', 'filter.profileId') : null,
    profileStatus: filter.profileStatus ?? null,
    source: filter.source ?? null,
    assignmentResult: filter.assignmentResult ?? null,
    serialNumberPrefix: filter.serialNumberPrefix ?? null,
    search: filter.search ?? null,
    includeDeleted: filter.includeDeleted ?? null,
  };
}

@Resolver(() => Device)
export class DeviceResolver {
  @Query(() => DeviceConnection, { description: 'Devices this key may see, by serial number unless orderBy says otherwise' })
  @RequireRole(Role.READER)
  async devices(
    @Arg('filter', () => DeviceFilter, { nullable: true }) filter: DeviceFilter | null,
    @Arg('orderBy', () => DeviceOrder, DEVICE_ORDER_ARG) orderBy: DeviceOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionResult<Device>> {
    const query = ctx.services.devices.listQuery(deviceFilterCommand(filter), ctx.scope);
    const columns = deviceColumnsFor(info, DEVICE_NODE_PATH, orderBy);
    const joined = joinedDeviceRelations(ctx, info, DEVICE_NODE_PATH);
    const page = (await paginate(query, deviceOrder('d', orderBy), args, columns, joined?.extension)).map(Device.from);
    await prefetchDeviceRelations(ctx, info, DEVICE_NODE_PATH, page.edges.map((e) => e.node), joined);
    return page;
  }

  // Not async: a device whose list prefetched its token and profiles (device-prefetch.ts) answers
  // with the object itself, without a promise; any other goes through its loader.
  @FieldResolver(() => DepToken)
  token(@Root() device: Device, @Ctx() ctx: RequestContext): DepToken | Promise<DepToken> {
    return device.relations?.tokens.get(device.tokenRowId) ?? ctx.loaders.tokenById.load(device.tokenRowId).then((token) => toDepToken(ctx, token!));
  }

  @FieldResolver(() => EnrollmentProfile, { nullable: true, description: 'The depgate profile Apple holds for the device' })
  profile(@Root() device: Device, @Ctx() ctx: RequestContext): EnrollmentProfile | null | Promise<EnrollmentProfile | null> {
    return profileOf(device, device.profileRowId, ctx);
  }

  @FieldResolver(() => String, { nullable: true, description: "The profile's name (what dynamic groups match on)" })
  enrollmentProfileName(@Root() device: Device, @Ctx() ctx: RequestContext): string | null | Promise<string | null> {
    const profile = profileOf(device, device.profileRowId, ctx);
    return profile instanceof Promise ? profile.then((p) => p?.name ?? null) : (profile?.name ?? null);
  }

  @FieldResolver(() => EnrollmentProfile, {
    nullable: true,
    description: 'Asked for (import, or an assignment Apple has not confirmed) and assigned when possible',
  })
  requestedProfile(@Root() device: Device, @Ctx() ctx: RequestContext): EnrollmentProfile | null | Promise<EnrollmentProfile | null> {
    return profileOf(device, device.requestedProfileRowId, ctx);
  }

  @Mutation(() => AssignEnrollmentProfilePayload, {
    description: "Assigns a profile at Apple by serial number (up to 10,000; devices not synced yet are kept as IMPORT and assigned when a sync sees them)",
  })
  @RequireRole(Role.OPERATOR)
  async assignEnrollmentProfile(
    @Arg('input') input: AssignEnrollmentProfileInput,
    @Ctx() ctx: RequestContext,
  ): Promise<AssignEnrollmentProfilePayload> {
    const outcomes = await ctx.services.assignments.assignSerials(
      fromGlobalId(input.profileId, 'EnrollmentProfile', 'profileId'),
      input.serialNumbers,
      ctx.scope,
      { apiKeyId: ctx.principal.apiKeyId, name: ctx.principal.name },
    );
    return { results: outcomes.map(toSerialResult) };
  }

  @Mutation(() => RemoveEnrollmentProfilePayload, {
    description:
      "Removes the enrollment profile at Apple (Apple's DELETE /profile/devices): the devices have no profile until one is assigned again, and the token's default profile is not given back automatically. A device that already enrolled keeps its profile until it is wiped",
  })
  @RequireRole(Role.OPERATOR)
  async removeEnrollmentProfile(@Arg('input') input: RemoveEnrollmentProfileInput, @Ctx() ctx: RequestContext): Promise<RemoveEnrollmentProfilePayload> {
    const outcomes = await ctx.services.profileRemovals.removeSerials(input.serialNumbers, ctx.scope, { apiKeyId: ctx.principal.apiKeyId, name: ctx.principal.name });
    return { results: outcomes.map(toSerialResult) };
  }

  @Mutation(() => RefreshDeviceDetailsPayload, {
    description: "Reads devices' records from Apple now (Apple's POST /devices) and stores them, instead of waiting for the next sync",
  })
  @RequireRole(Role.OPERATOR)
  async refreshDeviceDetails(@Arg('input') input: RefreshDeviceDetailsInput, @Ctx() ctx: RequestContext): Promise<RefreshDeviceDetailsPayload> {
    const outcomes = await ctx.services.deviceDetails.refresh(input.serialNumbers, ctx.scope);
    const devices = await ctx.loaders.deviceById.loadMany(outcomes.flatMap((o) => (o.deviceId ? [o.deviceId] : [])));
    const byId = new Map(devices.flatMap((d) => (d && !(d instanceof Error) ? [[d.id, d] as const] : [])));
    return {
      results: outcomes.map((o) => {
        const device = o.deviceId ? byId.get(o.deviceId) : undefined;
        return { serialNumber: o.serialNumber, status: o.status as DeviceDetailsStatus, message: o.message ?? null, device: device ? Device.from(device) : null };
      }),
    };
  }

  @Mutation(() => ImportDeviceSerialsPayload, { description: 'Pre-assigns serial numbers that have not synced yet (source IMPORT)' })
  @RequireRole(Role.OPERATOR)
  async importDeviceSerials(@Arg('input') input: ImportDeviceSerialsInput, @Ctx() ctx: RequestContext): Promise<ImportDeviceSerialsPayload> {
    const result = await ctx.services.devices.importSerials(
      {
        tokenId: fromGlobalId(input.tokenId, 'DepToken', 'tokenId'),
        serialNumbers: input.serialNumbers,
        csv: input.csv,
        profileId: input.profileId ? fromGlobalId(input.profileId, 'EnrollmentProfile', 'profileId') : null,
      },
      ctx.scope,
    );
    return { accepted: result.accepted.map(Device.from), rejected: result.rejected, rejectedCount: result.rejectedCount };
  }

  @Mutation(() => DeleteDevicePayload, {
    description: 'Removes the device from depgate (not from Apple Business Manager): a delta sync does not bring it back, the next full sync does if ABM still assigns it',
  })
  @RequireRole(Role.OPERATOR)
  async deleteDevice(@Arg('input') input: DeleteDeviceInput, @Ctx() ctx: RequestContext): Promise<DeleteDevicePayload> {
    const id = await ctx.services.devices.delete(fromGlobalId(input.deviceId, 'Device', 'deviceId'), ctx.scope, {
      apiKeyId: ctx.principal.apiKeyId,
      name: ctx.principal.name,
    });
    return { deletedDeviceId: toGlobalId('Device', id) };
  }
}

/** A profile of the device: prefetched with its page, else through the loader (null: none or not visible). */
function profileOf(device: Device, rowId: string | null, ctx: RequestContext): EnrollmentProfile | null | Promise<EnrollmentProfile | null> {
  if (!rowId) return null;
  const prefetched = device.relations?.profiles.get(rowId);
  if (prefetched !== undefined) return prefetched;
  return ctx.loaders.profileById.load(rowId).then((profile) => (profile ? EnrollmentProfile.from(profile) : null));
}

function toSerialResult(o: AssignmentOutcome): SerialAssignmentResult {
  return { serialNumber: o.serialNumber, status: o.status as AssignmentStatus, message: o.message ?? null, retryAfterSeconds: o.retryAfterSeconds ?? null };
}

@Resolver(() => DepToken)
export class DepTokenDevicesResolver {
  @FieldResolver(() => DeviceConnection, { description: "The token's devices, by serial number unless orderBy says otherwise" })
  async devices(
    @Root() token: DepToken,
    @Arg('filter', () => DeviceFilter, { nullable: true }) filter: DeviceFilter | null,
    @Arg('orderBy', () => DeviceOrder, DEVICE_ORDER_ARG) orderBy: DeviceOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ConnectionResult<Device>> {
    const key = nestedDevicesKey(deviceFilterCommand(filter), { ...args, orderBy }, deviceColumnsFor(info, DEVICE_NODE_PATH, orderBy));
    return (await ctx.loaders.devicesByToken(key).load(token.rowId)).map(Device.from);
  }
}

registerNodeType('Device', async (ctx, ids) => {
  const devices = await ctx.loaders.deviceById.loadMany(ids);
  return devices.map((d) => (d && !(d instanceof Error) ? Device.from(d) : null));
});
