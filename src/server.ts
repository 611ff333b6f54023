/**
 * One HTTP server: express (request logging, CORS, health, readiness, metrics, the API explorer)
 * + Apollo Server (HTTP POST/GET on /graphql) + graphql-ws (WebSocket on the same /graphql path). Both GraphQL transports
 * share one Authenticator, the same validation rules (graphql-armor) and the same error masking;
 * each lives in its own adapter under graphql/, and this file only wires them and owns the lifecycle.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import { ApiKeyRateLimiter } from './auth/api-key-rate-limiter';
import { Authenticator } from './auth/authenticator';
import { migrationsApplied } from './database/data-source';
import { graphqlHttpHandlers, startApolloServer } from './graphql/apollo-server';
import { createQueryHardening } from './graphql/query-hardening';
import { startWsServer } from './graphql/ws-server';
import { explorerRoutes } from './explorer/explorer.route';
import { consoleRoutes } from './http/console';
import { corsFor } from './http/cors';
import { httpErrorHandler } from './http/http-errors';
import { requestLogging } from './http/request-logging';
import { notFound } from './http/not-found';
import type { Logger } from './logger';
import { METRICS_PATH } from './metrics/metrics';
import { metricsRoute } from './metrics/metrics.route';
import type { Services } from './services';

export const GRAPHQL_PATH = '/graphql';

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

export async function startServer(deps: ServerDeps, listen: { port: number; host?: string }): Promise<RunningServer> {
  const { schema, services, logger } = deps;
  const app = createExpressApp(deps);
  const httpServer = http.createServer(app);
  // Idle keep-alive connections stay open longer than clients' and proxies' own idle timeouts
  // (undici 4 s, load balancers 60 s), so a client never reuses a socket the server is closing at
  // that moment (an ECONNRESET on the next request). Headers must come within a second more.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const hardening = createQueryHardening();
  const authenticator = new Authenticator(services.apiKeys);
  const { config } = services;
  const rateLimiter = new ApiKeyRateLimiter(deps.dataSource, services.clock, config.rateLimitPerMinute);
  const wsLimits = { maxSubscriptionsPerSocket: config.wsMaxSubscriptionsPerSocket, maxSocketsPerKey: config.wsMaxSocketsPerKey };

  const ws = startWsServer({ httpServer, path: GRAPHQL_PATH, schema, validationRules: hardening.validationRules, authenticator, rateLimiter, limits: wsLimits, services, logger });
  const apollo = await startApolloServer({ httpServer, schema, hardening, services, logger, drain: ws.dispose });
  if (config.graphqlExplorer) app.use(explorerRoutes(GRAPHQL_PATH, logger));
  app.use(GRAPHQL_PATH, ...graphqlHttpHandlers(apollo, { authenticator, rateLimiter, services, logger }));
  // The web console at `/`; its client-side routes are the unknown paths a browser navigates to.
  const webConsole = consoleRoutes(logger);
  if (webConsole) app.use(webConsole.router);
  // Last: unknown paths (the console's page for browsers, else JSON), then errors, both as JSON.
  app.use(notFound({ html: webConsole?.page }));
  app.use(httpErrorHandler(logger));

  await new Promise<void>((resolve) => httpServer.listen(listen.port, listen.host ?? '0.0.0.0', resolve));
  const { port } = httpServer.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    port,
    url: `http://127.0.0.1:${port}${GRAPHQL_PATH}`,
    close: () =>
      (closing ??= (async () => {
        // Clients hear "going away" first; Apollo's drain plugins then stop accepting, wait for
        // in-flight HTTP and dispose graphql-ws.
        await ws.goAway();
        await apollo.stop();
        await ws.close();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}

/** Express with request ids and request logging, and the routes beside GraphQL. */
function createExpressApp({ dataSource, services, logger }: ServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: GraphQL answers are POSTs marked no-store, and express hashed every body for one
  // (SHA-1 of a 20 KB device page, per request; issue #15).
  app.set('etag', false);

  app.use(...requestLogging(logger));
  // Before every route, so that preflights (OPTIONS) are answered for /graphql and refused origins get no headers.
  app.use(corsFor(services.config.corsOrigins));

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

  // Prometheus scrape endpoint (METRICS_TOKEN-protected when set): ids, counts, timestamps; never a secret.
  app.get(METRICS_PATH, metricsRoute(services.metrics, services.config.metricsToken));

  return app;
}
