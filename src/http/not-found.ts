/**
 * Paths nothing serves: a JSON 404 in the GraphQL error shape. `html` is the web console's
 * hook: given, it is offered the GETs that prefer text/html (a browser navigating) first; when it
 * calls next() (not one of its pages) the JSON 404 follows.
 */
import type { RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors/error-codes';
import { sendGraphQLError } from './graphql-error-response';

function sendNotFound(res: Response): void {
  sendGraphQLError(res, { status: 404, code: ErrorCode.NOT_FOUND, message: 'Nothing is served at this path: GraphQL is on /graphql' });
}

export function notFound(options: { html?: RequestHandler } = {}): RequestHandler {
  return (req, res, next) => {
    if (options.html && (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['json', 'html']) === 'html') {
      return options.html(req, res, (error?: unknown) => (error ? next(error) : sendNotFound(res)));
    }
    sendNotFound(res);
  };
}
