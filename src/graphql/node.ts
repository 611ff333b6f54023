/**
 * The Relay `Node` interface and the registry that `node(id)` / `nodes(ids)` use. Each feature
 * registers how to load its type by ids for a request; loaders apply the caller's visibility, so
 * an object the key may not see is indistinguishable from one that does not exist.
 */
import { Field, ID, InterfaceType } from 'type-graphql';
import type { RequestContext } from '../context';
import type { NodeTypeName } from './global-id';

@InterfaceType({ description: 'An object with a global ID' })
export abstract class Node {
  @Field(() => ID)
  id: string;
}

export type NodeLoader = (ctx: RequestContext, ids: string[]) => Promise<(Node | null)[]>;

const loaders = new Map<string, NodeLoader>();

export function registerNodeType(type: NodeTypeName, loader: NodeLoader): void {
  if (loaders.has(type)) throw new Error(`registerNodeType: ${type} is registered twice`);
  loaders.set(type, loader);
}

export function nodeLoaderFor(type: string): NodeLoader | undefined {
  return loaders.get(type);
}
