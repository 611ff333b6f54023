/**
 * How Apple's answers to profile calls (define, assign) become depgate's typed errors. Messages say
 * what happened and what to do; they never carry a secret (AppleDepError messages are safe).
 */
import { type AppleDepError, AppleDepErrorKind } from '../apple/dep-errors';
import { DomainError } from '../graphql/domain-error';
import { ErrorCode } from '../graphql/error-codes';

/** A whole request to Apple failed (not one serial): the error for the admin who asked. */
export function appleRequestDomainError(error: AppleDepError, action: string): DomainError {
  switch (error.kind) {
    case AppleDepErrorKind.TERMS_NOT_SIGNED:
      return new DomainError(
        ErrorCode.TOKEN_TERMS_NOT_ACCEPTED,
        `Apple refused to ${action}: an administrator must accept Apple's new terms and conditions in Apple Business Manager (or Apple School Manager)`,
      );
    case AppleDepErrorKind.ACCESS_DENIED:
    case AppleDepErrorKind.UNAUTHORIZED:
      return new DomainError(ErrorCode.TOKEN_REJECTED_BY_APPLE, `Apple refused this token's credentials while trying to ${action}: renew the token`);
    case AppleDepErrorKind.RATE_LIMITED:
      return new DomainError(ErrorCode.APPLE_RATE_LIMITED, `Apple is rate limiting requests; try to ${action} again later`, {
        retryAfterSeconds: error.retryAfterSeconds ?? null,
      });
    default:
      return new DomainError(ErrorCode.APPLE_UNAVAILABLE, `Apple's device enrollment service could not ${action} (${error.kind}); try again later`, {
        ...(error.appleCode ? { appleCode: error.appleCode } : {}),
      });
  }
}

/** Refusals about the token as a whole: every later call would fail the same way. */
export function isTokenLevelRefusal(error: AppleDepError): boolean {
  return (
    error.kind === AppleDepErrorKind.TERMS_NOT_SIGNED ||
    error.kind === AppleDepErrorKind.ACCESS_DENIED ||
    error.kind === AppleDepErrorKind.UNAUTHORIZED
  );
}
