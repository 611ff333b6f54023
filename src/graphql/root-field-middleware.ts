/**
 * Runs type-graphql middlewares around the root fields (Query, Mutation, Subscription) only.
 *
 * Why not `globalMiddlewares`: type-graphql wraps EVERY field with them, scalars included, and
 * each wrap is an async chain of promises; on a device page of 100 rows that is about 900 field
 * resolutions a request paying for a check that only means anything on root fields (the role
 * guard, the mutation audit). Measured on the device list bench (issue #15), it was about a
 * quarter of the CPU of a request. Nested fields keep their plain resolvers; root fields keep
 * exactly the middleware semantics they had (same order, same `{root, args, context, info}`).
 *
 * On Subscription fields the middlewares wrap `resolve` (run once per event delivered), as
 * type-graphql's global middlewares did; `subscribe` is untouched.
 */
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { MiddlewareFn, ResolverData } from 'type-graphql';

function chain<TContext extends object>(middlewares: MiddlewareFn<TContext>[], resolve: GraphQLFieldResolver<unknown, TContext>): GraphQLFieldResolver<unknown, TContext> {
  return (root, args, context, info) => {
    const data = { root, args, context, info } as ResolverData<TContext>;
    const dispatch = (index: number): Promise<unknown> => {
      if (index === middlewares.length) return Promise.resolve(resolve(root, args, context, info));
      let called = false;
      return Promise.resolve(
        middlewares[index](data, async () => {
          if (called) throw new Error('next() called multiple times');
          called = true;
          return dispatch(index + 1);
        }),
      );
    };
    return dispatch(0);
  };
}

export function applyRootFieldMiddlewares<TContext extends object>(schema: GraphQLSchema, middlewares: MiddlewareFn<TContext>[]): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      field.resolve = chain(middlewares, (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, TContext>);
    }
  }
  return schema;
}
