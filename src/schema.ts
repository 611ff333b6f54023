/**
 * Builds the executable schema from every resolver and prints the sorted SDL that is committed in
 * schema/schema.graphql (the contract with front-end teams).
 */
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync, type NonEmptyArray, type PubSub } from 'type-graphql';
import { AuthResolver } from './auth/auth.resolver';
import { authGuard } from './auth/guard';
import { NodeResolver } from './graphql/node.resolver';
import { DepTokenResolver } from './tokens/token.resolver';

// eslint-disable-next-line @typescript-eslint/ban-types
export const RESOLVERS: NonEmptyArray<Function> = [NodeResolver, AuthResolver, DepTokenResolver];

export function buildDepgateSchema(options: { pubSub?: PubSub } = {}): GraphQLSchema {
  return buildSchemaSync({
    resolvers: RESOLVERS,
    globalMiddlewares: [authGuard],
    pubSub: options.pubSub,
    validate: false,
  });
}

export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
