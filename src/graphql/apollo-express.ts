/**
 * Apollo Server as an express handler, the way Apollo's integration guide builds one
 * (executeHTTPGraphQLRequest), in place of @as-integrations/express5 for one reason: Apollo formats
 * the errors of requests it refuses before or beside the operation (CSRF, a malformed GET, a body
 * without a query, a failed context) where no request is in reach, and with no async-context store
 * (request-logging.ts says why) only this handler knows which request that answer is for. Such
 * answers leave `requestId` out (apollo-server.ts formatError); the handler puts it in.
 */
import type { HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';

/** The request as Apollo takes it: headers folded into a HeaderMap, the raw query string. */
function httpGraphQLRequestOf(req: Request): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const query = req.url.indexOf('?');
  return { method: req.method.toUpperCase(), headers, search: query < 0 ? '' : req.url.slice(query), body: req.body };
}

/**
 * Adds the request id to each error of a refusal that lacks one. Only refusals (status 400 and up)
 * are read back: an operation's own errors carry their id already, and a refusal's body is small
 * (a fixed message, or validation errors under graphql-armor's limit).
 */
export function withRequestId(body: string, status: number, requestId: string): string {
  if (status < 400 || !body.startsWith('{"errors":')) return body;
  const parsed = JSON.parse(body) as { errors?: { extensions?: Record<string, unknown> }[] };
  if (!Array.isArray(parsed.errors) || parsed.errors.every((e) => e.extensions?.requestId !== undefined)) return body;
  for (const error of parsed.errors) error.extensions = { ...error.extensions, requestId: error.extensions?.requestId ?? requestId };
  return JSON.stringify(parsed);
}

async function send(res: Response, response: HTTPGraphQLResponse, requestId: string): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.send(withRequestId(response.body.string, res.statusCode, requestId));
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** `req.body` must be parsed already (json-body.ts) and `req.id` set (request-logging.ts). */
export function apolloExpressHandler<C extends BaseContext>(apollo: ApolloServer<C>, context: (req: Request, res: Response) => Promise<C>): RequestHandler {
  apollo.assertStarted('apolloExpressHandler()');
  return (req, res, next) => {
    apollo
      .executeHTTPGraphQLRequest({ httpGraphQLRequest: httpGraphQLRequestOf(req), context: () => context(req, res) })
      .then((response) => send(res, response, String(req.id)))
      .catch(next);
  };
}
