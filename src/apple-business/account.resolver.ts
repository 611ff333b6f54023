import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ScopeTag } from '../auth/auth.types';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { ConnectionArgs, ascending, paginate, type ConnectionResult } from '../graphql/connection';
import { fromGlobalId, toGlobalId } from '../graphql/global-id';
import { registerNodeType } from '../graphql/node';
import type { AppleBusinessAccountEntity } from './account.entity';
import {
  AppleBusinessAccount,
  AppleBusinessAccountConnection,
  AppleBusinessAccountPayload,
  ConnectAppleBusinessAccountInput,
  DisconnectAppleBusinessAccountInput,
  DisconnectAppleBusinessAccountPayload,
  UpdateAppleBusinessAccountInput,
} from './account.types';

const scopeTagIds = (ids: string[] | null | undefined) => (ids == null ? ids : ids.map((id) => fromGlobalId(id, 'ScopeTag', 'scopeTagIds')));
export const accountId = (id: string, field = 'accountId') => fromGlobalId(id, 'AppleBusinessAccount', field);

@Resolver(() => AppleBusinessAccount)
export class AppleBusinessAccountResolver {
  @Query(() => AppleBusinessAccountConnection, { description: 'Apple School and Business API accounts this key may see, oldest first' })
  @RequireRole(Role.READER)
  async appleBusinessAccounts(@Args() args: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<ConnectionResult<AppleBusinessAccount>> {
    const page = await paginate(
      ctx.services.appleBusinessAccounts.listQuery(ctx.scope),
      ascending([
        { sql: 'ba.created_at', value: (a: AppleBusinessAccountEntity) => a.createdAt.toISOString(), cast: 'timestamptz' },
        { sql: 'ba.id', value: (a: AppleBusinessAccountEntity) => a.id, cast: 'uuid' },
      ]),
      args,
    );
    return page.map(AppleBusinessAccount.from);
  }

  @FieldResolver(() => [ScopeTag])
  async scopeTags(@Root() account: AppleBusinessAccount, @Ctx() ctx: RequestContext): Promise<ScopeTag[]> {
    return ctx.scope.visibleTags(await ctx.loaders.scopeTagsByAppleBusinessAccount.load(account.rowId)).map(ScopeTag.from);
  }

  @Mutation(() => AppleBusinessAccountPayload, {
    description: 'Connects an API account: the key is proved by fetching an access token and reading the MDM servers before anything is stored; the first inventory mirror starts at once',
  })
  @RequireRole(Role.ADMIN)
  async connectAppleBusinessAccount(@Arg('input') input: ConnectAppleBusinessAccountInput, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccountPayload> {
    const account = await ctx.services.appleBusinessAccounts.connect(
      { name: input.name, clientId: input.clientId, keyId: input.keyId, privateKeyPem: input.privateKeyPem, scope: input.scope, scopeTagIds: scopeTagIds(input.scopeTagIds) },
      ctx.principal,
      ctx.scope,
    );
    return { appleBusinessAccount: AppleBusinessAccount.from(account) };
  }

  @Mutation(() => AppleBusinessAccountPayload, {
    description: 'Renames, retags, or gives the account a new key (keyId and privateKeyPem, proved with Apple before the old key is replaced); re-evaluates its alerts',
  })
  @RequireRole(Role.ADMIN)
  async updateAppleBusinessAccount(@Arg('input') input: UpdateAppleBusinessAccountInput, @Ctx() ctx: RequestContext): Promise<AppleBusinessAccountPayload> {
    const account = await ctx.services.appleBusinessAccounts.update(
      { accountId: accountId(input.accountId), name: input.name, scopeTagIds: scopeTagIds(input.scopeTagIds), keyId: input.keyId, privateKeyPem: input.privateKeyPem },
      ctx.scope,
    );
    return { appleBusinessAccount: AppleBusinessAccount.from(account) };
  }

  @Mutation(() => DisconnectAppleBusinessAccountPayload, { description: 'Forgets the account, its inventory mirror, activities and alerts here; nothing changes at Apple' })
  @RequireRole(Role.ADMIN)
  async disconnectAppleBusinessAccount(@Arg('input') input: DisconnectAppleBusinessAccountInput, @Ctx() ctx: RequestContext): Promise<DisconnectAppleBusinessAccountPayload> {
    const id = await ctx.services.appleBusinessAccounts.disconnect(accountId(input.accountId), ctx.scope);
    return { deletedAppleBusinessAccountId: toGlobalId('AppleBusinessAccount', id) };
  }
}

registerNodeType('AppleBusinessAccount', async (ctx, ids) => {
  const accounts = await ctx.loaders.appleBusinessAccountById.loadMany(ids);
  return accounts.map((a) => (a && !(a instanceof Error) ? AppleBusinessAccount.from(a) : null));
});
