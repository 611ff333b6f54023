/**
 * One HTTP server: express + Apollo Server (HTTP POST/GET on /graphql) + graphql-ws (WebSocket on
 * the same /graphql path), with /healthz and /readyz. Both transports share authentication, the
 * same validation rules (graphql-armor) and the same error masking.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerSecret } from './auth/api-key.secret';
import type { Principal } from './auth/principal';
import { createRequestContext, requestIdFrom, type RequestContext } from './context';
import { migrationsApplied } from './database/data-source';
import { toClientError } from './graphql/error-masking';
import { listLimitError } from './graphql/input-limits';
import { complexityError } from './graphql/query-complexity';
import { LIST_LIMITS } from './schema';
import { Topic } from './events/topics';
import { ErrorCode } from './graphql/error-codes';
import type { Logger } from './logger';
import { requestStore } from './request-store';
import type { Services } from './services';

export const GRAPHQL_PATH = '/graphql';
/** Token files may be 1 MB (a typed error says so); the body limit sits above that. */
const BODY_LIMIT = '4mb';

export interface ServerDeps {
  schema: GraphQLSchema;
  dataSource: DataSource;
  services: Services;
  logger: Logger;
}

export interface RunningServer {
  httpServer: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

// A type alias (not an interface) so it satisfies graphql-ws's Record<PropertyKey, unknown> bound.
type SocketExtra = { principal?: Principal };

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

export async function startServer(deps: ServerDeps, listen: { port: number; host?: string }): Promise<RunningServer> {
  const { schema, dataSource, services, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  // Query hardening: depth, aliases, tokens, directives, cost. The same rules guard both transports.
  const armor = new ApolloArmor({
    maxDepth: { n: 12 },
    maxAliases: { n: 30 },
    maxDirectives: { n: 30 },
    maxTokens: { n: 5000 },
    // Cost is limited by query-complexity.ts (page-size aware); armor's estimate grows with depth.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  const validationRules = armor.validationRules;

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  // Open sockets per API key, so revoking a key (on any instance) closes its subscriptions at once.
  const socketsByKey = new Map<string, Set<WebSocket>>();
  const revocations = services.events.pubSub.subscribe(Topic.API_KEY_REVOKED);
  void (async () => {
    for await (const { apiKeyId } of revocations) {
      for (const socket of socketsByKey.get(apiKeyId) ?? []) socket.close(CloseCode.Forbidden, 'API key revoked');
    }
  })().catch((error) => logger.error({ err: error }, 'API key revocation listener stopped'));
  const wsCleanup = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema,
      validate: (s, document) => validate(s, document, [...specifiedRules, ...validationRules]),
      onSubscribe: (ctx, id, payload) => {
        services.metrics.wsSubscribed(ctx.extra, id);
        let document;
        try {
          document = parse(payload.query);
        } catch {
          return; // graphql-ws reports the syntax error itself
        }
        const refused =
          listLimitError(schema, LIST_LIMITS, document, payload.variables) ??
          complexityError(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined);
        return refused ? [refused] : undefined;
      },
      onConnect: async (ctx) => {
        const secret = bearerSecret(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        if (!secret) {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'An API key is required (connection_init payload authorization)');
          return false;
        }
        const principal = await services.apiKeys.authenticate(secret);
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = principal;
        const socket = ctx.extra.socket;
        const sockets = socketsByKey.get(principal.apiKeyId) ?? new Set<WebSocket>();
        socketsByKey.set(principal.apiKeyId, sockets.add(socket));
        socket.once('close', () => {
          sockets.delete(socket);
          if (sockets.size === 0) socketsByKey.delete(principal.apiKeyId);
        });
        // A revocation announced between the check above and registering the socket went unheard.
        if (!(await services.apiKeys.authenticate(secret))) return false;
        return true;
      },
      context: (ctx) =>
        createRequestContext({ principal: ctx.extra.principal!, services, logger, requestId: requestIdFrom(undefined) }),
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

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handler would stop it a second time.
    stopOnTerminationSignals: false,
    validationRules,
    plugins: [
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ document, request, schema: operationSchema }) {
              const refused =
                listLimitError(operationSchema, LIST_LIMITS, document, request.variables) ??
                complexityError(operationSchema, document, request.variables, request.operationName);
              if (refused) throw refused;
            },
          };
        },
      },
      ApolloServerPluginDrainHttpServer({ httpServer }),
      services.metrics.apolloPlugin(),
      ...armor.plugins,
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
    formatError: (formatted, error) => {
      const store = requestStore.getStore();
      const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(formatted.message, { originalError: error as Error });
      return toClientError(graphQLError, store?.requestId ?? 'unknown', store?.logger ?? logger);
    },
  });
  await apollo.start();

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const requestLogger = logger.child({ requestId });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      requestLogger.info({ method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    requestStore.run({ requestId, logger: requestLogger }, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      await dataSource.query('SELECT 1');
      if (!(await migrationsApplied(dataSource))) {
        res.status(503).json({ status: 'migrations pending' });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });

  // Prometheus scrape endpoint: token ids and names, counts and timestamps; never a secret.
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', services.metrics.contentType);
    res.send(await services.metrics.text());
  });

  app.use(
    GRAPHQL_PATH,
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const store = requestStore.getStore()!;
        const secret = bearerSecret(req.headers.authorization);
        if (!secret) throw unauthenticated('An API key is required: send Authorization: Bearer <key>');
        const principal = await services.apiKeys.authenticate(secret);
        if (!principal) throw unauthenticated('The API key is not valid or has been revoked');
        return createRequestContext({ principal, services, logger: logger, requestId: store.requestId });
      },
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(listen.port, listen.host ?? '0.0.0.0', resolve));
  const { port } = httpServer.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    port,
    url: `http://127.0.0.1:${port}${GRAPHQL_PATH}`,
    close: () =>
      (closing ??= (async () => {
        // Apollo's drain plugins stop accepting, wait for in-flight HTTP, then dispose graphql-ws.
        for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
        await revocations.return?.(undefined);
        await apollo.stop();
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}
