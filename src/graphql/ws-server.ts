/**
 * The graphql-ws adapter: the WebSocket transport on the HTTP server's /graphql path. Like Apollo's
 * HTTP path it authenticates with the shared Authenticator, validates with the same rules, limits
 * cost and rate (each operation counts) the same way and masks errors through error-masking.ts.
 * It bounds frames, operations per socket and sockets per key (ws-limits.ts), and closes the
 * sockets of an API key the moment the key is revoked, on any instance (the revocation crosses
 * instances as an event).
 */
import type http from 'node:http';
import { GraphQLError, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { rateLimitedError, type ApiKeyRateLimiter } from '../auth/api-key-rate-limiter';
import { AuthRefusal, type Authenticator } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import { createRequestContext, requestIdFrom, type RequestContext } from '../context';
import { Topic } from '../events/topics';
import type { Logger } from '../logger';
import type { Services } from '../services';
import { toClientError } from './error-masking';
import { asValidationErrors, operationRefusal, parseOperation } from './query-hardening';
import { closeSocket, WsClose } from './ws-close';
import { SocketsByKey, subscriptionLimitError, WS_MAX_PAYLOAD_BYTES, type WsLimits } from './ws-limits';
import { subscribeSharingEvents } from './shared-subscription-execution';

export interface WsServerDeps {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  validationRules: readonly ValidationRule[];
  authenticator: Authenticator;
  rateLimiter: ApiKeyRateLimiter;
  limits: WsLimits;
  services: Services;
  logger: Logger;
}

export interface GraphqlWsServer {
  /** Shutdown, first step: every client is told to reconnect elsewhere; revocations stop being heard. */
  goAway(): Promise<void>;
  /** graphql-ws's own disposal (run in Apollo's drain phase, after in-flight HTTP requests). */
  dispose(): Promise<void>;
  /** Stops the WebSocket server. */
  close(): Promise<void>;
}

// A type alias (not an interface) so it satisfies graphql-ws's Record<PropertyKey, unknown> bound.
type SocketExtra = { principal?: Principal };

export function startWsServer(deps: WsServerDeps): GraphqlWsServer {
  const { schema, validationRules, authenticator, rateLimiter, limits, services, logger } = deps;
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: deps.path, maxPayload: WS_MAX_PAYLOAD_BYTES });
  services.metrics.countWebSockets(() => wsServer.clients.size);

  const socketsByKey = new SocketsByKey();
  const revocations = services.events.pubSub.subscribe(Topic.API_KEY_REVOKED);
  void (async () => {
    for await (const { apiKeyId } of revocations) {
      for (const socket of socketsByKey.of(apiKeyId)) closeSocket(socket, WsClose.KEY_REVOKED);
    }
  })().catch((error) => logger.error({ err: error }, 'API key revocation listener stopped'));

  const graphqlWs = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema,
      // One execution per event for subscribers with the same viewer and operation.
      subscribe: subscribeSharingEvents,
      validate: (s, document) => asValidationErrors(validate(s, document, [...specifiedRules, ...validationRules])),
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const { principal, refusal } = await authenticator.authenticate(authorization);
        if (refusal === AuthRefusal.MISSING_KEY) {
          closeSocket(ctx.extra.socket, WsClose.KEY_REQUIRED);
          return false;
        }
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        // Counted and added with no await between, so parallel connects cannot all slip under it.
        if (socketsByKey.count(principal.apiKeyId) >= limits.maxSocketsPerKey) {
          closeSocket(ctx.extra.socket, WsClose.TOO_MANY_SOCKETS);
          return false;
        }
        ctx.extra.principal = principal;
        socketsByKey.add(principal.apiKeyId, ctx.extra.socket);
        // A revocation announced between the check above and registering the socket went unheard.
        return Boolean((await authenticator.authenticate(authorization)).principal);
      },
      onSubscribe: async (ctx, id, payload) => {
        services.metrics.wsSubscribed(ctx.extra, id);
        // graphql-ws has already registered this operation: the count includes it.
        let refusal = subscriptionLimitError(Object.keys(ctx.subscriptions).length, limits.maxSubscriptionsPerSocket);
        if (!refusal) {
          const rate = await rateLimiter.take(ctx.extra.principal!.apiKeyId);
          if (!rate.allowed) refusal = rateLimitedError(rate.retryAfterSeconds);
        }
        // Masked and coded by onError (toClientError finds the DomainError inside).
        if (refusal) return [new GraphQLError(refusal.message, { originalError: refusal })];
        // graphql-ws would parse the query itself and, on a syntax error, close the whole socket
        // with 4500 (every subscription on it gone) after printing the stack: parsed here, with
        // the token limit, a bad operation is an `error` message for its own id instead.
        const { document, error } = parseOperation(payload.query);
        if (error) return [error];
        const refused = operationRefusal(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined);
        return refused ? [refused] : undefined;
      },
      context: (ctx) =>
        createRequestContext({
          principal: ctx.extra.principal!,
          services,
          logger,
          requestId: requestIdFrom(undefined),
          transport: 'WEBSOCKET',
          clientAddress: ctx.extra.request.socket.remoteAddress,
        }),
      onComplete: (ctx, id) => services.metrics.wsCompleted(ctx.extra, id),
      onOperation: (ctx, id, _payload, args, result) => {
        services.metrics.wsOperated(ctx.extra, id, args.document, args.operationName, result);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const context = args.contextValue as RequestContext;
        return { ...result, errors: result.errors.map((e) => toClientError(e, context.requestId, context.logger)) };
      },
      onError: (ctx, id, _payload, errors) => {
        services.metrics.wsRefused(ctx.extra, id);
        return errors.map((e) => toClientError(e, requestIdFrom(undefined), logger));
      },
    },
    wsServer,
  );
  // A socket's 'error' is a client's protocol fault (a frame over maxPayload, a bad opcode): ws has
  // already closed it with the right code (1009, 1002). graphql-ws would print each one with its
  // stack to stderr, which anonymous clients could flood: one log line instead. (Its listener
  // was added by the 'connection' listener useServer registered just before this one.)
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => logger.warn({ code: error.code, reason: error.message }, 'WebSocket closed after a protocol error'));
  });

  return {
    goAway: async () => {
      for (const client of wsServer.clients) closeSocket(client, WsClose.SHUTTING_DOWN);
      await revocations.return?.(undefined);
    },
    dispose: async () => {
      await graphqlWs.dispose();
    },
    close: () => new Promise<void>((resolve) => wsServer.close(() => resolve())),
  };
}
