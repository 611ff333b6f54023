import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { ascending, ConnectionArgs, paginate, type ConnectionResult } from '../graphql/connection';
import type { ApiKeyEntity } from './api-key.entity';
import type { RequestContext } from '../context';
import { notFound } from '../errors/domain-error';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import {
  ApiKey,
  ApiKeyConnection,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  CreateScopeTagInput,
  CreateScopeTagPayload,
  DeleteScopeTagInput,
  DeleteScopeTagPayload,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  ScopeTag,
  Viewer,
} from './auth.types';
import { RequireRole } from './guard';
import { Role } from './role';

/** Creation order, ties by id (api_keys_created_idx serves it). */
const API_KEY_ORDER = ascending<ApiKeyEntity>([
  { sql: 'k.created_at', value: (k) => k.createdAt.toISOString(), cast: 'timestamptz' },
  { sql: 'k.id', value: (k) => k.id, cast: 'uuid' },
]);

@Resolver()
export class AuthResolver {
  @Query(() => Viewer, { description: 'The API key making this request' })
  @RequireRole(Role.READER)
  async viewer(@Ctx() ctx: RequestContext): Promise<Viewer> {
    const [key] = await ctx.services.apiKeys.findByIds([ctx.principal.apiKeyId]);
    if (!key) throw notFound('API key');
    return Object.assign(new Viewer(), { apiKey: ApiKey.from(key), role: key.role, unrestricted: ctx.scope.unrestricted });
  }

  @Query(() => [ScopeTag], { description: 'Every scope tag; a key with scope tags sees its own' })
  @RequireRole(Role.READER)
  async scopeTags(@Ctx() ctx: RequestContext): Promise<ScopeTag[]> {
    return (await ctx.services.scopeTags.list(ctx.scope)).map(ScopeTag.from);
  }

  @Query(() => ApiKeyConnection, {
    description:
      'API keys, oldest first, for a console to manage them (ADMIN). A key with scope tags sees the keys whose scope tags are all ' +
      'its own (never unrestricted keys). Secrets are write-once: no field returns one or its hash',
  })
  @RequireRole(Role.ADMIN)
  async apiKeys(
    @Arg('includeRevoked', { defaultValue: false, description: 'Also revoked keys (revokedAt set)' }) includeRevoked: boolean,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
  ): Promise<ConnectionResult<ApiKey>> {
    const page = await paginate(ctx.services.apiKeys.listQuery(ctx.scope, { includeRevoked }), API_KEY_ORDER, args);
    // The page's scope tags in one more statement (paginate joins nothing).
    const withTags = new Map((await ctx.services.apiKeys.findByIds(page.edges.map((e) => e.node.id))).map((k) => [k.id, k]));
    return page.map((key) => ApiKey.from(withTags.get(key.id) ?? key));
  }

  @Mutation(() => CreateApiKeyPayload)
  @RequireRole(Role.ADMIN)
  async createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: RequestContext): Promise<CreateApiKeyPayload> {
    const scopeTagIds = input.scopeTagIds.map((id) => fromGlobalId(id, 'ScopeTag', 'scopeTagIds'));
    const { apiKey, secret } = await ctx.services.apiKeys.create({ name: input.name, role: input.role, scopeTagIds }, ctx.scope);
    return { apiKey: ApiKey.from(apiKey), secret };
  }

  @Mutation(() => RevokeApiKeyPayload)
  @RequireRole(Role.ADMIN)
  async revokeApiKey(@Arg('input') input: RevokeApiKeyInput, @Ctx() ctx: RequestContext): Promise<RevokeApiKeyPayload> {
    const key = await ctx.services.apiKeys.revoke(fromGlobalId(input.apiKeyId, 'ApiKey', 'apiKeyId'), ctx.scope);
    return { apiKey: ApiKey.from(key) };
  }

  @Mutation(() => CreateScopeTagPayload)
  @RequireRole(Role.ADMIN)
  async createScopeTag(@Arg('input') input: CreateScopeTagInput, @Ctx() ctx: RequestContext): Promise<CreateScopeTagPayload> {
    return { scopeTag: ScopeTag.from(await ctx.services.scopeTags.create(input.name, input.description, ctx.scope)) };
  }

  @Mutation(() => DeleteScopeTagPayload)
  @RequireRole(Role.ADMIN)
  async deleteScopeTag(@Arg('input') input: DeleteScopeTagInput, @Ctx() ctx: RequestContext): Promise<DeleteScopeTagPayload> {
    const id = await ctx.services.scopeTags.delete(fromGlobalId(input.scopeTagId, 'ScopeTag', 'scopeTagId'), ctx.scope);
    return { deletedScopeTagId: toGlobalId('ScopeTag', id) };
  }
}

registerNodeType('ScopeTag', async (ctx, ids) => {
  const visible = new Set((await ctx.services.scopeTags.list(ctx.scope)).map((t) => t.id));
  const found = new Map((await ctx.services.scopeTags.findByIds(ids.filter((id) => visible.has(id)))).map((t) => [t.id, t]));
  return ids.map((id) => (found.has(id) ? ScopeTag.from(found.get(id)!) : null));
});

registerNodeType('ApiKey', (ctx, ids) =>
  Promise.all(
    ids.map(async (id) => {
      // Non-admins may look up only their own key.
      if (ctx.principal.role !== Role.ADMIN && id !== ctx.principal.apiKeyId) return null;
      const key = await ctx.services.apiKeys.findVisible(id, ctx.scope);
      return key ? ApiKey.from(key) : null;
    }),
  ),
);
