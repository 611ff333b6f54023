/**
 * A subscription sent over HTTP would run its resolvers without an event to resolve (and fail
 * as INTERNAL_SERVER_ERROR): it is refused with a typed 400 that points at the WebSocket.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors/error-codes';

export const refuseSubscriptionsOverHttp: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError('Subscriptions run over the WebSocket on this path (graphql-ws protocol), not over HTTP', {
          extensions: { code: ErrorCode.SUBSCRIPTION_OVER_HTTP, http: { status: 400 } },
        });
      },
    };
  },
};
