import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { fromGlobalId } from '../graphql/global-id';
import { toDepToken } from '../tokens/token.resolver';
import { DepToken } from '../tokens/token.types';
import { EnrollmentProfile } from '../profiles/profile.types';
import { toVppToken } from '../vpp/vpp-token.resolver';
import { VppToken } from '../vpp/vpp-token.types';
import { EnrollmentReadiness, ReadinessItem } from './readiness.types';

const SEVERITY_ORDER = { CRITICAL: 0, WARNING: 1, INFO: 2 } as const;

@Resolver(() => ReadinessItem)
export class ReadinessResolver {
  @Query(() => EnrollmentReadiness, {
    description:
      'What is missing before a device can enroll (push certificate, tokens, default profiles, Company Portal VPP tokens, devices without a profile, the enrollment URL), ' +
      'for the tokens this key may see or the one given. For consoles and monitoring checks; enrollment URLs are probed at most once a minute',
  })
  @RequireRole(Role.READER)
  async enrollmentReadiness(
    @Arg('tokenId', () => ID, { nullable: true, description: 'Only this token (plus the deployment-wide push certificate)' }) tokenId: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<EnrollmentReadiness> {
    const rowId = tokenId == null ? null : fromGlobalId(tokenId, 'DepToken', 'tokenId');
    const values = await ctx.services.readiness.check(ctx.scope, rowId);
    const items = values.map(ReadinessItem.from).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    return Object.assign(new EnrollmentReadiness(), { ready: !items.some((i) => i.severity === 'CRITICAL'), items, checkedAt: ctx.services.clock.now() });
  }

  @FieldResolver(() => DepToken, { nullable: true, description: 'The token concerned' })
  async token(@Root() item: ReadinessItem, @Ctx() ctx: RequestContext): Promise<DepToken | null> {
    const token = item.tokenRowId ? await ctx.loaders.tokenById.load(item.tokenRowId) : null;
    return token ? toDepToken(ctx, token) : null;
  }

  @FieldResolver(() => EnrollmentProfile, { nullable: true, description: 'The profile concerned (PROFILE_VPP_*)' })
  async profile(@Root() item: ReadinessItem, @Ctx() ctx: RequestContext): Promise<EnrollmentProfile | null> {
    const profile = item.profileRowId ? await ctx.loaders.profileById.load(item.profileRowId) : null;
    return profile ? EnrollmentProfile.from(profile) : null;
  }

  @FieldResolver(() => VppToken, { nullable: true, description: "The profile's Company Portal VPP token (PROFILE_VPP_*), when this key may see it" })
  async vppToken(@Root() item: ReadinessItem, @Ctx() ctx: RequestContext): Promise<VppToken | null> {
    const token = item.vppTokenRowId ? await ctx.loaders.vppTokenById.load(item.vppTokenRowId) : null;
    return token ? toVppToken(ctx, token) : null;
  }
}
