/**
 * How express middleware answers a request it refuses before Apollo sees it: the GraphQL error
 * shape clients already parse (`{"errors":[{"message","extensions":{"code","requestId"}}]}`),
 * as JSON, never an HTML page. A refusal that leaves a request body unread closes the connection,
 * so the client cannot keep streaming a body nobody will read.
 */
import type { Request, Response } from 'express';
import type { ErrorCode } from '../errors/error-codes';

export interface HttpRefusal {
  status: number;
  code: ErrorCode;
  message: string;
  extensions?: Record<string, unknown>;
}

export function sendGraphQLError(res: Response, { status, code, message, extensions }: HttpRefusal): void {
  // request-logging.ts echoed the request id in this header before anything could refuse the request.
  const requestId = res.getHeader('x-request-id');
  res.status(status).json({ errors: [{ message, extensions: { ...extensions, code, requestId } }] });
}

/** Whether the request announces a body (Content-Length above 0, or chunked). */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** A refusal sent before the body is read: the body is left unread and the connection closed. */
export function refuseBeforeBody(req: Request, res: Response, refusal: HttpRefusal): void {
  if (hasBody(req)) res.setHeader('connection', 'close');
  sendGraphQLError(res, refusal);
}
