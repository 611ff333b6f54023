import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ScopeTag } from '../auth/auth.types';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ConnectionArgs, ascending, paginate, type ConnectionResult } from '../graphql/connection';
import { notFound } from '../errors/domain-error';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { VppTokenEntity } from './vpp-token.entity';
import {
  DeleteVppTokenInput,
  DeleteVppTokenPayload,
  RefreshVppTokenLicensesInput,
  RenewVppTokenInput,
  UpdateVppTokenInput,
  UploadVppTokenInput,
  VppToken,
  VppTokenConnection,
  VppTokenPayload,
} from './vpp-token.types';

export function toVppToken(ctx: Pick<RequestContext, 'services'>, entity: VppTokenEntity): VppToken {
  const level = ctx.services.vppTokens.licenceLevel(entity);
  return VppToken.from(entity, ctx.services.vppTokens.status(entity), level === 'LOW' || level === 'EXHAUSTED');
}

const scopeTagIds = (ids: string[] | null | undefined) =>
  ids == null ? ids : ids.map((id) => fromGlobalId(id, 'ScopeTag', 'scopeTagIds'));

@Resolver(() => VppToken)
export class VppTokenResolver {
  @Query(() => VppTokenConnection, { description: 'VPP (Apps and Books) tokens this key may see, oldest first' })
  @RequireRole(Role.READER)
  async vppTokens(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<VppToken>> {
    const page = await paginate(
      ctx.services.vppTokens.listQuery(ctx.scope),
      ascending([
        { sql: 'v.created_at', value: (t: VppTokenEntity) => t.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'v.id', value: (t: VppTokenEntity) => t.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map((t) => toVppToken(ctx, t));
  }

  @Query(() => VppToken, { nullable: true })
  @RequireRole(Role.READER)
  async vppToken(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<VppToken | null> {
    const token = await ctx.loaders.vppTokenById.load(fromGlobalId(id, 'VppToken'));
    return token ? toVppToken(ctx, token) : null;
  }

  @FieldResolver(() => [ScopeTag], { description: 'VPP tokens carry scope tags of their own (they belong to no DEP token)' })
  async scopeTags(@Root() token: VppToken, @Ctx() ctx: RequestContext): Promise<ScopeTag[]> {
    return ctx.scope.visibleTags(await ctx.loaders.scopeTagsByVppToken.load(token.rowId)).map(ScopeTag.from);
  }

  @FieldResolver(() => Int, { description: 'Enrollment profiles that install Company Portal with this token (deletion is refused while any do)' })
  async usedByProfileCount(@Root() token: VppToken, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.profileCountByVppToken.load(token.rowId);
  }

  @Mutation(() => VppTokenPayload, { description: "Registers a location token (.vpptoken): checked with Apple, stored encrypted, licences read" })
  @RequireRole(Role.ADMIN)
  async uploadVppToken(@Arg('input') input: UploadVppTokenInput, @Ctx() ctx: RequestContext): Promise<VppTokenPayload> {
    const token = await ctx.services.vppTokens.upload(
      { tokenFile: input.tokenFile, name: input.name, appleId: input.appleId, scopeTagIds: scopeTagIds(input.scopeTagIds) },
      ctx.principal,
      ctx.scope,
    );
    return { vppToken: toVppToken(ctx, token) };
  }

  @Mutation(() => VppTokenPayload, { description: 'Replaces the token with a newer download for the same location' })
  @RequireRole(Role.ADMIN)
  async renewVppToken(@Arg('input') input: RenewVppTokenInput, @Ctx() ctx: RequestContext): Promise<VppTokenPayload> {
    const token = await ctx.services.vppTokens.renew(
      { vppTokenId: fromGlobalId(input.vppTokenId, 'VppToken', 'vppTokenId'), tokenFile: input.tokenFile },
      ctx.scope,
    );
    return { vppToken: toVppToken(ctx, token) };
  }

  @Mutation(() => VppTokenPayload)
  @RequireRole(Role.ADMIN)
  async updateVppToken(@Arg('input') input: UpdateVppTokenInput, @Ctx() ctx: RequestContext): Promise<VppTokenPayload> {
    const token = await ctx.services.vppTokens.update(
      {
        vppTokenId: fromGlobalId(input.vppTokenId, 'VppToken', 'vppTokenId'),
        name: input.name,
        appleId: input.appleId,
        scopeTagIds: scopeTagIds(input.scopeTagIds),
      },
      ctx.scope,
    );
    return { vppToken: toVppToken(ctx, token) };
  }

  @Mutation(() => DeleteVppTokenPayload, { description: 'Refused with VPP_TOKEN_IN_USE while an enrollment profile uses it for Company Portal' })
  @RequireRole(Role.ADMIN)
  async deleteVppToken(@Arg('input') input: DeleteVppTokenInput, @Ctx() ctx: RequestContext): Promise<DeleteVppTokenPayload> {
    const id = await ctx.services.vppTokens.delete(fromGlobalId(input.vppTokenId, 'VppToken', 'vppTokenId'), ctx.scope);
    return { deletedVppTokenId: toGlobalId('VppToken', id) };
  }

  @Mutation(() => VppTokenPayload, { description: 'Reads expiry and Company Portal licences from Apple now (also done on a schedule)' })
  @RequireRole(Role.OPERATOR)
  async refreshVppTokenLicenses(@Arg('input') input: RefreshVppTokenLicensesInput, @Ctx() ctx: RequestContext): Promise<VppTokenPayload> {
    const id = fromGlobalId(input.vppTokenId, 'VppToken', 'vppTokenId');
    const token = (await ctx.services.vppTokens.findVisible(id, ctx.scope)) && (await ctx.services.vppTokens.refresh(id));
    if (!token) throw notFound('VPP token');
    return { vppToken: toVppToken(ctx, token) };
  }
}

registerNodeType('VppToken', async (ctx, ids) => {
  const tokens = await ctx.loaders.vppTokenById.loadMany(ids);
  return tokens.map((t) => (t && !(t instanceof Error) ? toVppToken(ctx, t) : null));
});
