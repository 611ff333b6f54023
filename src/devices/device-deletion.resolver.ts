import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { fromGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import { DeleteDevicesInput, DeleteDevicesPayload, DeviceDeletion } from './device-deletion.types';
import { deviceFilterCommand } from './device.resolver';

@Resolver(() => DeviceDeletion)
export class DeviceDeletionResolver {
  @Mutation(() => DeleteDevicesPayload, {
    description:
      'Deletes devices from depgate (as deleteDevice does: not from Apple Business Manager) as a job, so that a token can be emptied and deleted; answers at once with the job to poll',
  })
  @RequireRole(Role.OPERATOR)
  async deleteDevices(@Arg('input') input: DeleteDevicesInput, @Ctx() ctx: RequestContext): Promise<DeleteDevicesPayload> {
    const deletion = await ctx.services.deviceDeletions.request(
      {
        deviceIds: input.deviceIds ? input.deviceIds.map((id, i) => fromGlobalId(id, 'Device', `deviceIds[${i}]`)) : null,
        filter: input.filter ? deviceFilterCommand(input.filter) : null,
      },
      ctx.principal,
    );
    const shown = DeviceDeletion.from(deletion);
    return { jobId: shown.id, deviceDeletion: shown };
  }

  @Query(() => DeviceDeletion, { nullable: true, description: 'A deleteDevices job: the key that asked for it, or an unrestricted key, sees it' })
  @RequireRole(Role.READER)
  async deviceDeletion(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DeviceDeletion | null> {
    const [found] = await ctx.services.deviceDeletions.findVisibleByIds([fromGlobalId(id, 'DeviceDeletion', 'id')], ctx.principal);
    return found ? DeviceDeletion.from(found) : null;
  }
}

registerNodeType('DeviceDeletion', async (ctx, ids) => {
  const found = new Map((await ctx.services.deviceDeletions.findVisibleByIds(ids, ctx.principal)).map((d) => [d.id, d]));
  return ids.map((id) => {
    const deletion = found.get(id);
    return deletion ? DeviceDeletion.from(deletion) : null;
  });
});
