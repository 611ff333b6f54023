/**
 * The API explorer: `GET /graphql` from a browser (it prefers text/html and sends no query) gets
 * a GraphiQL page; its script and stylesheet are served from EXPLORER_ASSETS_PATH. Everything
 * on the page comes from this server (no CDN, no external URL). The page holds no key: the
 * user types one into the API key field. Mounted only when GRAPHQL_EXPLORER is on.
 */
import { Router, type Request } from 'express';
import type { Logger } from '../logger';
import { explorerAssets } from './explorer.bundle';
import { explorerPage } from './explorer.page';

export const EXPLORER_ASSETS_PATH = '/explorer';

/** A browser navigating to the endpoint, not a GraphQL GET (those carry ?query=). */
function wantsExplorer(req: Request): boolean {
  return req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'html']) === 'html';
}

export function explorerRoutes(graphqlPath: string, logger: Logger): Router {
  const router = Router();
  router.get(graphqlPath, (req, res, next) => {
    if (!wantsExplorer(req)) return next();
    res.type('html').setHeader('cache-control', 'no-store');
    res.send(explorerPage(EXPLORER_ASSETS_PATH));
  });
  const asset = (kind: 'js' | 'css', type: string) =>
    router.get(`${EXPLORER_ASSETS_PATH}/graphiql.${kind}`, async (_req, res, next) => {
      try {
        const bundle = await explorerAssets();
        res.type(type).setHeader('cache-control', 'public, max-age=3600');
        res.send(bundle[kind]);
      } catch (error) {
        logger.error({ err: error }, 'the API explorer could not be bundled');
        next(error);
      }
    });
  asset('js', 'application/javascript');
  asset('css', 'text/css');
  return router;
}
