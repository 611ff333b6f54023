import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { RequireRole } from '../auth/guard';
import { Role } from '../auth/role';
import type { RequestContext } from '../context';
import { badInput } from '../errors/domain-error';
import { parseGlobalId } from './global-id';
import { Node, nodeLoaderFor } from './node';

export const MAX_NODES = 100;

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null when it does not exist or is not visible' })
  @RequireRole(Role.READER)
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const [found] = await loadNodes(ctx, [id]);
    return found;
  }

  @Query(() => [Node], { nullable: 'items', description: `Up to ${MAX_NODES} objects by global ID, in the order asked` })
  @RequireRole(Role.READER)
  async nodes(@Arg('ids', () => [ID], { description: `At most ${MAX_NODES}` }) ids: string[], @Ctx() ctx: RequestContext): Promise<(Node | null)[]> {
    if (ids.length > MAX_NODES) throw badInput(`ids may hold at most ${MAX_NODES} ids`, 'ids');
    return loadNodes(ctx, ids);
  }
}

/** Groups ids by type so each type loads in one call. */
async function loadNodes(ctx: RequestContext, globalIds: string[]): Promise<(Node | null)[]> {
  const parsed = globalIds.map(parseGlobalId);
  const byType = new Map<string, string[]>();
  parsed.forEach((p) => p && nodeLoaderFor(p.type) && byType.set(p.type, [...(byType.get(p.type) ?? []), p.id]));
  const loaded = new Map<string, Node | null>();
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      const unique = [...new Set(ids)];
      const nodes = await nodeLoaderFor(type)!(ctx, unique);
      unique.forEach((id, i) => loaded.set(`${type}:${id}`, nodes[i]));
    }),
  );
  return parsed.map((p) => (p ? loaded.get(`${p.type}:${p.id}`) ?? null : null));
}
