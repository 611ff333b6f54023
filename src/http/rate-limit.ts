/**
 * RATE_LIMIT_PER_MINUTE on HTTP: after the key is known, before the body is read. A refused
 * request gets 429 with Retry-After (whole seconds) and RATE_LIMITED with retryAfterSeconds.
 */
import type { RequestHandler } from 'express';
import { rateLimitedError, type ApiKeyRateLimiter } from '../auth/api-key-rate-limiter';
import { authenticationOf } from './authenticate-first';
import { refuseBeforeBody } from './graphql-error-response';

export function rateLimitByKey(limiter: ApiKeyRateLimiter): RequestHandler {
  return async (req, res, next) => {
    const { principal } = authenticationOf(res);
    if (!principal || !limiter.enabled) return next();
    const decision = await limiter.take(principal.apiKeyId);
    if (decision.allowed) return next();
    const error = rateLimitedError(decision.retryAfterSeconds);
    res.setHeader('retry-after', String(decision.retryAfterSeconds));
    refuseBeforeBody(req, res, { status: 429, code: error.code, message: error.message, extensions: error.extensions });
  };
}
