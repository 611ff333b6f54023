import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../context';
import { ConnectionArgs, type ConnectionResult } from '../graphql/connection';
import { connectionArgsKey } from '../graphql/nested-connection';
import { Device } from '../devices/device.types';
import { EnrollmentProfile } from '../profiles/profile.types';
import { AssignmentAttempt, AssignmentAttemptConnection } from './assignment-history.types';

@Resolver(() => Device)
export class DeviceAssignmentHistoryResolver {
  @FieldResolver(() => AssignmentAttemptConnection, {
    description: 'Every attempt to assign a profile to this device at Apple, newest first, kept ASSIGNMENT_HISTORY_RETENTION_DAYS',
  })
  async assignmentHistory(@Root() device: Device, @Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<AssignmentAttempt>> {
    return (await ctx.loaders.assignmentHistoryByDevice(connectionArgsKey(args)).load(device.rowId)).map(AssignmentAttempt.from);
  }
}

@Resolver(() => AssignmentAttempt)
export class AssignmentAttemptResolver {
  @FieldResolver(() => EnrollmentProfile, { nullable: true, description: 'The depgate profile that was assigned (null once deleted)' })
  async profile(@Root() attempt: AssignmentAttempt, @Ctx() ctx: RequestContext): Promise<EnrollmentProfile | null> {
    if (!attempt.profileRowId) return null;
    const profile = await ctx.loaders.profileById.load(attempt.profileRowId);
    return profile ? EnrollmentProfile.from(profile) : null;
  }
}
