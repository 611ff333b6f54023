/**
 * The /graphql request body: JSON in UTF-8, at most BODY_LIMIT (after gzip/deflate decoding).
 * Token files may be 1 MB (a typed error says so, base64 makes them larger): the limit sits above.
 * body-parser would also decode UTF-16 and UTF-32; the GraphQL-over-HTTP spec asks for UTF-8 and
 * nothing else is worth the ambiguity, so another charset is refused with 415. Parse errors
 * become GraphQL errors in http-errors.ts.
 */
import express, { type RequestHandler } from 'express';
import { ErrorCode } from '../errors/error-codes';
import { refuseBeforeBody } from './graphql-error-response';

export const BODY_LIMIT = '4mb';

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

const utf8Only: RequestHandler = (req, res, next) => {
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
  refuseBeforeBody(req, res, { status: 415, code: ErrorCode.BAD_REQUEST, message: `Unsupported charset "${charset.slice(0, 40)}": send the body as UTF-8` });
};

export function jsonBody(): RequestHandler[] {
  return [utf8Only, express.json({ limit: BODY_LIMIT })];
}
