/**
 * The API key is checked from the Authorization header before the body is read: an anonymous
 * client cannot make the server buffer megabytes (50 anonymous 4 MB bodies once took 741 MB).
 * A refused request with a body gets 401 at once; one without (a GET) goes on, so that Apollo's
 * GET handling (and a browser's explorer page) still answer, and the GraphQL context refuses it.
 * Either way the key is checked once per request: the outcome waits in res.locals.
 */
import type { RequestHandler, Response } from 'express';
import { AuthRefusal, type Authentication, type Authenticator } from '../auth/authenticator';
import { ErrorCode } from '../errors/error-codes';
import { hasBody, refuseBeforeBody, type HttpRefusal } from './graphql-error-response';

const REFUSAL_MESSAGES: Record<AuthRefusal, string> = {
  [AuthRefusal.MISSING_KEY]: 'An API key is required: send Authorization: Bearer <key>',
  [AuthRefusal.INVALID_KEY]: 'The API key is not valid or has been revoked',
};

export function unauthenticated(refusal: AuthRefusal): HttpRefusal {
  return { status: 401, code: ErrorCode.UNAUTHENTICATED, message: REFUSAL_MESSAGES[refusal] };
}

const AUTHENTICATION = 'authentication';

/** What authenticateFirst found for this request. */
export function authenticationOf(res: Response): Authentication {
  const authentication = res.locals[AUTHENTICATION] as Authentication | undefined;
  if (!authentication) throw new Error('authenticationOf: authenticateFirst did not run for this request');
  return authentication;
}

/** The id of the API key this request was authenticated with, if any (for the request log). */
export function authenticatedKeyId(res: Response): string | undefined {
  return (res.locals?.[AUTHENTICATION] as Authentication | undefined)?.principal?.apiKeyId;
}

export function authenticateFirst(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const authentication = await authenticator.authenticate(req.headers.authorization);
    res.locals[AUTHENTICATION] = authentication;
    if (authentication.refusal) res.setHeader('www-authenticate', 'Bearer');
    if (authentication.refusal && hasBody(req)) return refuseBeforeBody(req, res, unauthenticated(authentication.refusal));
    next();
  };
}
