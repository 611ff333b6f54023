/**
 * The HTTP transport: Apollo Server on POST/GET /graphql, mounted into express. It authenticates
 * with the shared Authenticator (a refusal is UNAUTHENTICATED with HTTP status 401), runs the shared
 * hardening rules and cost limit, and masks errors through error-masking.ts.
 */
import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { AuthRefusal, type Authenticator } from '../auth/authenticator';
import { createRequestContext, type RequestContext } from '../context';
import type { Logger } from '../logger';
import { requestStore } from '../request-store';
import type { Services } from '../services';
import { ErrorCode } from './error-codes';
import { toClientError } from './error-masking';
import { operationRefusal, type QueryHardening } from './query-hardening';

/** Token files may be 1 MB (a typed error says so); the body limit sits above that. */
const BODY_LIMIT = '4mb';

const REFUSAL_MESSAGES: Record<AuthRefusal, string> = {
  [AuthRefusal.MISSING_KEY]: 'An API key is required: send Authorization: Bearer <key>',
  [AuthRefusal.INVALID_KEY]: 'The API key is not valid or has been revoked',
};

export interface ApolloDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  hardening: QueryHardening;
  services: Services;
  logger: Logger;
  /** Runs in Apollo's drain phase, once in-flight HTTP requests have finished (the WebSocket side). */
  drain: () => Promise<void>;
}

/** List lengths and cost are checked once the operation is known (graphql-armor's cost estimate is switched off). */
const costLimitPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request, schema }) {
        const refused = operationRefusal(schema, document, request.variables, request.operationName);
        if (refused) throw refused;
      },
    };
  },
};

function drainPlugin(drain: () => Promise<void>): ApolloServerPlugin<RequestContext> {
  return {
    async serverWillStart() {
      return { drainServer: drain };
    },
  };
}

export async function startApolloServer(deps: ApolloDeps): Promise<ApolloServer<RequestContext>> {
  const { logger } = deps;
  const apollo = new ApolloServer<RequestContext>({
    schema: deps.schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handler would stop it a second time.
    stopOnTerminationSignals: false,
    validationRules: deps.hardening.validationRules,
    plugins: [
      costLimitPlugin,
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      deps.services.metrics.apolloPlugin(),
      ...deps.hardening.plugins,
      drainPlugin(deps.drain),
    ],
    formatError: (formatted, error) => {
      const store = requestStore.getStore();
      const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(formatted.message, { originalError: error as Error });
      return toClientError(graphQLError, store?.requestId ?? 'unknown', store?.logger ?? logger);
    },
  });
  await apollo.start();
  return apollo;
}

/** The /graphql handlers: JSON body, then Apollo with an authenticated per-request context. */
export function graphqlHttpHandlers(
  apollo: ApolloServer<RequestContext>,
  deps: { authenticator: Authenticator; services: Services; logger: Logger },
): RequestHandler[] {
  const { authenticator, services, logger } = deps;
  return [
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const store = requestStore.getStore()!;
        const { principal, refusal } = await authenticator.authenticate(req.headers.authorization);
        if (!principal) {
          throw new GraphQLError(REFUSAL_MESSAGES[refusal], { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
        }
        return createRequestContext({ principal, services, logger, requestId: store.requestId, transport: 'HTTP', clientAddress: req.socket.remoteAddress });
      },
    }),
  ];
}
