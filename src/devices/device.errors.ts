/**
 * How Apple's answers to profile calls (define, assign) are told to the admin who asked. Messages
 * say what happened and what to do; they never carry a secret (AppleDepError messages are safe).
 * Which failure gets which message and code is decided once, in src/graphql/apple-error.mapping.ts.
 */
import { type AppleDepError, AppleDepErrorKind } from '../apple/dep-errors';
import type { DepFailureMessages } from '../apple/apple-request.exception';

/** A whole request to Apple failed (not one serial), while trying to `action` ("assign the profile"). */
export function appleActionMessages(action: string): DepFailureMessages {
  return {
    termsNotAccepted: `Apple refused to ${action}: an administrator must accept Apple's new terms and conditions in Apple Business Manager (or Apple School Manager)`,
    rejected: `Apple refused this token's credentials while trying to ${action}: renew the token`,
    rateLimited: () => `Apple is rate limiting requests; try to ${action} again later`,
    unavailable: (error) => `Apple's device enrollment service could not ${action} (${error.kind}); try again later`,
  };
}

/** Refusals about the token as a whole: every later call would fail the same way. */
export function isTokenLevelRefusal(error: AppleDepError): boolean {
  return (
    error.kind === AppleDepErrorKind.TERMS_NOT_SIGNED ||
    error.kind === AppleDepErrorKind.ACCESS_DENIED ||
    error.kind === AppleDepErrorKind.UNAUTHORIZED
  );
}
