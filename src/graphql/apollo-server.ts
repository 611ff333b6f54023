/**
 * The HTTP transport: Apollo Server on POST/GET /graphql, mounted into express (apollo-express.ts). The shared
 * Authenticator and the rate limit run before the body is read (src/http/); a refusal is
 * UNAUTHENTICATED with HTTP status 401. Apollo runs the shared hardening rules and cost limit,
 * refuses subscriptions (they belong on the WebSocket) and masks errors through error-masking.ts.
 */
import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { RequestHandler } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { ApiKeyRateLimiter } from '../auth/api-key-rate-limiter';
import type { Authenticator } from '../auth/authenticator';
import { createRequestContext, type RequestContext } from '../context';
import type { Logger } from '../logger';
import { authenticateFirst, authenticationOf, unauthenticated } from '../http/authenticate-first';
import { jsonBody } from '../http/json-body';
import { noStore } from '../http/no-store';
import { rateLimitByKey } from '../http/rate-limit';
import type { Services } from '../services';
import { apolloExpressHandler } from './apollo-express';
import { toClientError } from './error-masking';
import { operationRefusal, PARSE_OPTIONS, type QueryHardening } from './query-hardening';
import { statusPerAccept } from './response-status';
import { refuseSubscriptionsOverHttp } from './subscription-over-http';

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

/**
 * Apollo's formatError is given the error, not the request: each error is tied to its request's
 * context when the pipeline meets it (didEncounterErrors runs before formatting, with the same
 * error objects), so the masked error is logged and answered with that request's id and logger.
 */
type ErrorOwner = Pick<RequestContext, 'requestId' | 'logger'>;
const errorRequests = new WeakMap<object, ErrorOwner>();
const ownerOf = (error: unknown): ErrorOwner | undefined => {
  if (error === null || typeof error !== 'object') return undefined;
  // A failed context reaches formatError wrapped ("Context creation failed: ..."), the thrown error as its originalError.
  return errorRequests.get(error) ?? (error instanceof GraphQLError && error.originalError ? errorRequests.get(error.originalError) : undefined);
};
const errorOwnerPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart({ contextValue }) {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) errorRequests.set(error, contextValue);
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
    parseOptions: PARSE_OPTIONS,
    // CSRF prevention stays on, but a bearer key counts as preflighted: a browser cannot send an
    // Authorization header cross-origin without a CORS preflight, so urql's default GET works.
    csrfPrevention: { requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'] },
    plugins: [
      // GET /graphql from a browser is the local explorer (src/explorer/), never Apollo's CDN page.
      ApolloServerPluginLandingPageDisabled(),
      statusPerAccept,
      // Apollo installs its cache-control plugin unless told not to; it wraps every field resolution
      // (willResolveField) to compute cache hints nobody uses here (the API sends no cache headers,
      // its data are per key), about a seventh of a list request's CPU (issue #15).
      ApolloServerPluginCacheControlDisabled(),
      refuseSubscriptionsOverHttp,
      costLimitPlugin,
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      deps.services.metrics.apolloPlugin(),
      ...deps.hardening.plugins,
      drainPlugin(deps.drain),
      errorOwnerPlugin,
    ],
    formatError: (formatted, error) => {
      const owner = ownerOf(error);
      const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(formatted.message, { originalError: error as Error });
      // Without an owner (a refusal before or beside the operation) the id is left out here and
      // put in by apollo-express.ts, the one place that knows the request.
      return toClientError(graphQLError, owner?.requestId, owner?.logger ?? logger);
    },
  });
  await apollo.start();
  return apollo;
}

/** The /graphql handlers: no-store, the key and its rate limit, then the JSON body, then Apollo. */
export function graphqlHttpHandlers(
  apollo: ApolloServer<RequestContext>,
  deps: { authenticator: Authenticator; rateLimiter: ApiKeyRateLimiter; services: Services; logger: Logger },
): RequestHandler[] {
  const { services, logger } = deps;
  return [
    noStore,
    authenticateFirst(deps.authenticator),
    rateLimitByKey(deps.rateLimiter),
    ...jsonBody(),
    apolloExpressHandler(apollo, async (req, res) => {
      // Requests with a body were refused before it was read; this is a GET without a key.
      const { principal, refusal } = authenticationOf(res);
      if (!principal) {
        const { status, code, message } = unauthenticated(refusal);
        throw new GraphQLError(message, { extensions: { code, http: { status } } });
      }
      // request-logging.ts (pino-http) gave the request its id, echoed in X-Request-Id.
      const requestId = String(req.id);
      try {
        return createRequestContext({ principal, services, logger, requestId, requestLogger: req.log, transport: 'HTTP', clientAddress: req.socket.remoteAddress });
      } catch (error) {
        // An unexpected failure is masked and logged by formatError: with this request's id.
        if (error !== null && typeof error === 'object') errorRequests.set(error, { requestId, logger: req.log ?? logger });
        throw error;
      }
    }),
  ];
}
