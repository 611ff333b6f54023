import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ScopeTag } from '../auth/auth.types';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { DepTokenEntity } from './token.entity';
import { depTokenOrder } from './token.order';
import {
  CreateDepTokenKeyPairInput,
  CreateDepTokenKeyPairPayload,
  DeleteDepTokenInput,
  DeleteDepTokenPayload,
  DepToken,
  DepTokenConnection,
  DepTokenKeyPair,
  DepTokenOrder,
  DepTokenPayload,
  RenewDepTokenInput,
  UpdateDepTokenInput,
  UploadDepTokenInput,
} from './token.types';

export function toDepToken(ctx: RequestContext, entity: DepTokenEntity): DepToken {
  return DepToken.from(entity, ctx.services.depTokenStatus(entity));
}

const scopeTagIds = (ids: string[] | null | undefined) =>
  ids == null ? ids : ids.map((id) => fromGlobalId(id, 'ScopeTag', 'scopeTagIds'));

@Resolver(() => DepToken)
export class DepTokenResolver {
  @Query(() => DepTokenConnection, { description: 'DEP tokens this key may see, oldest first unless orderBy says otherwise' })
  @RequireRole(Role.READER)
  async depTokens(
    @Arg('orderBy', () => DepTokenOrder, { nullable: true, description: 'Default: CREATED_AT ASC' }) orderBy: DepTokenOrder | null,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<DepToken>> {
    const page = await paginate(ctx.services.depTokens.listQuery(ctx.scope), depTokenOrder('t', orderBy), args);
    return page.map((t) => toDepToken(ctx, t));
  }

  @Query(() => DepToken, { nullable: true })
  @RequireRole(Role.READER)
  async depToken(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<DepToken | null> {
    const token = await ctx.loaders.tokenById.load(fromGlobalId(id, 'DepToken'));
    return token ? toDepToken(ctx, token) : null;
  }

  @FieldResolver(() => [ScopeTag], { description: 'Inherited by the profiles and devices of this token' })
  async scopeTags(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<ScopeTag[]> {
    return ctx.scope.visibleTags(await ctx.loaders.scopeTagsByToken.load(token.rowId)).map(ScopeTag.from);
  }

  @FieldResolver(() => String, { description: 'The certificate Apple encrypts this token (and its renewals) to' })
  async certificatePem(@Root() token: DepToken, @Ctx() ctx: RequestContext): Promise<string> {
    return (await ctx.loaders.keyPairById.load(token.keyPairRowId))!.certificatePem;
  }

  @Mutation(() => CreateDepTokenKeyPairPayload, { description: 'Step 1: consent, then download the public-key certificate for Apple' })
  @RequireRole(Role.ADMIN)
  async createDepTokenKeyPair(
    @Arg('input') input: CreateDepTokenKeyPairInput,
    @Ctx() ctx: RequestContext,
  ): Promise<CreateDepTokenKeyPairPayload> {
    return { keyPair: DepTokenKeyPair.from(await ctx.services.depTokens.createKeyPair(input.dataSharingConsent, ctx.principal)) };
  }

  @Mutation(() => DepTokenPayload, { description: 'Step 4: upload the token file Apple issued for the key pair' })
  @RequireRole(Role.ADMIN)
  async uploadDepToken(@Arg('input') input: UploadDepTokenInput, @Ctx() ctx: RequestContext): Promise<DepTokenPayload> {
    const token = await ctx.services.depTokens.upload(
      {
        keyPairId: fromGlobalId(input.keyPairId, 'DepTokenKeyPair', 'keyPairId'),
        tokenFile: input.tokenFile,
        appleId: input.appleId,
        name: input.name,
        scopeTagIds: scopeTagIds(input.scopeTagIds),
      },
      ctx.principal,
      ctx.scope,
      ctx.requestId,
    );
    return { token: toDepToken(ctx, token) };
  }

  @Mutation(() => DepTokenPayload, { description: 'Upload the renewed token file for the same MDM server' })
  @RequireRole(Role.ADMIN)
  async renewDepToken(@Arg('input') input: RenewDepTokenInput, @Ctx() ctx: RequestContext): Promise<DepTokenPayload> {
    const token = await ctx.services.depTokens.renew(
      { tokenId: fromGlobalId(input.tokenId, 'DepToken', 'tokenId'), tokenFile: input.tokenFile, appleId: input.appleId },
      ctx.scope,
    );
    return { token: toDepToken(ctx, token) };
  }

  @Mutation(() => DepTokenPayload)
  @RequireRole(Role.ADMIN)
  async updateDepToken(@Arg('input') input: UpdateDepTokenInput, @Ctx() ctx: RequestContext): Promise<DepTokenPayload> {
    const token = await ctx.services.depTokens.update(
      {
        tokenId: fromGlobalId(input.tokenId, 'DepToken', 'tokenId'),
        name: input.name,
        scopeTagIds: scopeTagIds(input.scopeTagIds),
        enrollmentUrl: input.enrollmentUrl,
      },
      ctx.scope,
    );
    return { token: toDepToken(ctx, token) };
  }

  @Mutation(() => DeleteDepTokenPayload, { description: 'Refused with TOKEN_IN_USE while profiles or devices remain' })
  @RequireRole(Role.ADMIN)
  async deleteDepToken(@Arg('input') input: DeleteDepTokenInput, @Ctx() ctx: RequestContext): Promise<DeleteDepTokenPayload> {
    const id = await ctx.services.depTokens.delete(fromGlobalId(input.tokenId, 'DepToken', 'tokenId'), ctx.scope);
    return { deletedDepTokenId: toGlobalId('DepToken', id) };
  }
}

registerNodeType('DepToken', async (ctx, ids) => {
  const tokens = await ctx.loaders.tokenById.loadMany(ids);
  return tokens.map((t) => (t && !(t instanceof Error) ? toDepToken(ctx, t) : null));
});

registerNodeType('DepTokenKeyPair', async (ctx, ids) => {
  // Key pairs are an ADMIN's working material; others see nothing.
  if (ctx.principal.role !== Role.ADMIN) return ids.map(() => null);
  const pairs = await ctx.loaders.keyPairById.loadMany(ids);
  return pairs.map((p) => (p && !(p instanceof Error) ? DepTokenKeyPair.from(p) : null));
});
