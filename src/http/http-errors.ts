/**
 * Express's last word on a request: errors from body parsing (malformed JSON, a body over the
 * limit, an unknown Content-Encoding) answered in the GraphQL error shape with no stack and no
 * paths, and anything else masked as INTERNAL_SERVER_ERROR and logged with the request id.
 * Without this, Express answers with its HTML page, stack trace and install path included.
 */
import type { ErrorRequestHandler } from 'express';
import { ErrorCode } from '../errors/error-codes';
import type { Logger } from '../logger';
import { sendGraphQLError, type HttpRefusal } from './graphql-error-response';
import { BODY_LIMIT } from './json-body';

/** What body-parser (via http-errors) puts on the errors it passes on. */
interface BodyParserError {
  status?: number;
  expose?: boolean;
  type?: string;
  message: string;
}

function refusalFor(error: BodyParserError): HttpRefusal | undefined {
  const status = error.status ?? 500;
  if (error.type === 'entity.too.large') {
    return { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: `The request body is over the ${BODY_LIMIT} limit` };
  }
  if (error.type === 'entity.parse.failed') {
    // JSON.parse's message quotes the body: a fixed message instead.
    return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'The request body is not valid JSON: send a JSON object {"query", "variables", "operationName"}' };
  }
  if (status >= 400 && status < 500 && error.expose) return { status, code: ErrorCode.BAD_REQUEST, message: error.message };
  return undefined;
}

export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: BodyParserError, req, res, next) => {
    if (res.headersSent) return next(error); // Express then closes the connection; nothing more can be said
    const refusal = refusalFor(error);
    if (refusal) return sendGraphQLError(res, refusal);
    ((req.log as Logger | undefined) ?? logger).error({ err: error, path: req.path }, 'unexpected error while handling an HTTP request');
    sendGraphQLError(res, { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' });
  };
}
