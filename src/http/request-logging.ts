/**
 * One log line per HTTP request through pino-http: method, path (no query string: GET operations
 * and their variables stay out of logs), status, duration, the GraphQL operation name the client
 * sent, the request id and the API key's id. Never a header: the key and the Authorization header
 * are not logged (and the logger redacts them besides). The request id (the client's X-Request-Id
 * when it is a sane one) is echoed in the response (X-Request-Id) and is `req.id`; `req.log` is the
 * request's logger. Both are handed on explicitly (the GraphQL context, the error handlers), never
 * through AsyncLocalStorage: on Node 20 one `run()` turns on promise hooks for every promise of the
 * process, about a fifth of a device list request's CPU (issue #15).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { LevelWithSilent } from 'pino';
import { pinoHttp } from 'pino-http';
import { requestIdFrom } from '../context';
import { serializeError, type Logger } from '../logger';
import { authenticatedKeyId } from './authenticate-first';

const MAX_OPERATION_NAME = 100;

/** The operation name from the JSON body (POST) or the query string (GET), when it is a plain name. */
function operationNameOf(req: Request): string | undefined {
  const name: unknown = (req.body as { operationName?: unknown } | undefined)?.operationName ?? req.query?.operationName;
  return typeof name === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(name) ? name.slice(0, MAX_OPERATION_NAME) : undefined;
}

function requestLine(req: IncomingMessage, res: ServerResponse, ms: number) {
  const request = req as Request;
  return {
    method: request.method,
    path: (request.originalUrl ?? request.url ?? '').split('?')[0],
    status: res.statusCode,
    ms,
    operationName: operationNameOf(request),
    apiKeyId: authenticatedKeyId(res as Response),
  };
}

export function requestLogging(logger: Logger): RequestHandler[] {
  const httpLogger = pinoHttp<IncomingMessage, ServerResponse, never>({
    logger,
    // pino-http gives its child loggers (req.log, which deeper lines use) serializers of its own;
    // without ours for `err`, a failed statement's parameters would be logged again.
    serializers: { err: serializeError },
    // Only our fields: no req/res objects (they would carry headers), requestId beside them.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId: (req, res) => {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      res.setHeader('x-request-id', requestId);
      return requestId;
    },
    customLogLevel: (_req, res, error): LevelWithSilent => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, { responseTime }: { responseTime: number }) => requestLine(req, res, responseTime),
    // The error itself is logged once, with its stack, where it is handled (http-errors.ts, error-masking.ts).
    customErrorObject: (req, res, _error, { responseTime }: { responseTime: number }) => requestLine(req, res, responseTime),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
  });
  return [httpLogger];
}
