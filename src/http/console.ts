/**
 * The web console (web/, built by web/build.cjs into web/dist): `/` and the console's client-side
 * routes (CONSOLE_PAGES, shared with web/src/App.tsx) get index.html, but only for GETs that prefer
 * text/html (a browser navigating: notFound's html hook decides that); any other path stays a JSON
 * 404 (not-found.ts), also for a browser, so a mistyped API path never answers with a page. Hashed
 * assets under /assets are immutable; all of it is gzip-compressed (the console's budget is
 * measured as sent). Everything comes from depgate: no CDN. Without a build (a release built
 * without it) nothing is mounted and `/` is a JSON 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import type { Logger } from '../logger';
import { consolePageOf } from './console-pages';

/** The checkout's (or the release's) web/dist: beside the nearest package.json above this file. */
export function consoleDistDir(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'web', 'dist');
}

export interface ConsoleRoutes {
  /** Mounted after the API routes: compression, and the assets. */
  router: Router;
  /** notFound's html hook: `/` and the client-side routes get the page, other paths go on to the JSON 404. */
  page: RequestHandler;
}

export function consoleRoutes(logger: Logger, distDir = consoleDistDir()): ConsoleRoutes | undefined {
  const indexFile = path.join(distDir, 'index.html');
  if (!fs.existsSync(indexFile)) {
    logger.warn({ distDir }, 'the web console is not built (node web/build.cjs): it is not served');
    return undefined;
  }
  // Read per request (small): a rebuild while the server runs is served at once.
  const page: RequestHandler = (req, res, next) => {
    if (!consolePageOf(req.path)) return next();
    fs.readFile(indexFile, 'utf8', (error, html) => {
      if (error) return next(error);
      res.type('html').setHeader('cache-control', 'no-cache');
      res.send(html);
    });
  };
  // Required here, not at the top: a process that stops on bad configuration, or serves no
  // console, never loads it (start-up time is tested).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const compression = require('compression') as typeof import('compression');
  const router = Router();
  router.use(compression());
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: true }));
  return { router, page };
}
