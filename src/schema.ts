/**
 * Builds the executable schema from every resolver and prints the sorted SDL that is committed in
 * schema/schema.graphql (the contract with front-end teams).
 */
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchemaSync, type NonEmptyArray, type PubSub } from 'type-graphql';
import { AuthResolver } from './auth/auth.resolver';
import { authGuard } from './auth/guard';
import { DepTokenDevicesResolver, DeviceResolver } from './devices/device.resolver';
import { NodeResolver } from './graphql/node.resolver';
import { AppleConfiguratorCertificateResolver, DepTokenProfilesResolver, EnrollmentProfileResolver } from './profiles/profile.resolver';
import { DepTokenSyncResolver, SyncRunResolver } from './sync/sync.resolver';
import { DepTokenResolver } from './tokens/token.resolver';
import { AlertResolver } from './alerts/alert.resolver';
import { VppTokenResolver } from './vpp/vpp-token.resolver';

// eslint-disable-next-line @typescript-eslint/ban-types
export const RESOLVERS: NonEmptyArray<Function> = [
  NodeResolver,
  AuthResolver,
  DepTokenResolver,
  VppTokenResolver,
  AlertResolver,
  EnrollmentProfileResolver,
  DepTokenProfilesResolver,
  AppleConfiguratorCertificateResolver,
  DeviceResolver,
  DepTokenDevicesResolver,
  SyncRunResolver,
  DepTokenSyncResolver,
];

export function buildDepgateSchema(options: { pubSub?: PubSub } = {}): GraphQLSchema {
  return buildSchemaSync({
    resolvers: RESOLVERS,
    globalMiddlewares: [authGuard],
    // Subscriptions need a pubSub to build; printing the SDL (npm run schema, tests) gets an
    // in-memory one. The running app passes the PostgreSQL one (src/events).
    pubSub: options.pubSub ?? createPubSub(),
    validate: false,
  });
}

export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
