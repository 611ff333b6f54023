/**
 * How token-file and Apple failures become depgate's typed errors during upload and renewal.
 * Messages name what went wrong and what to do; they never carry a secret.
 */
import { AppleDepError, AppleDepErrorKind } from '../apple/dep-errors';
import { DomainError } from '../graphql/domain-error';
import { ErrorCode } from '../graphql/error-codes';
import { TokenFileError } from './token-file';

export function tokenFileDomainError(error: TokenFileError): DomainError {
  // The token-file codes are part of the central list under the same names.
  return new DomainError(ErrorCode[error.code], error.message);
}

/** Apple's answer to /account with freshly uploaded credentials. */
export function appleAccountDomainError(error: AppleDepError): DomainError {
  switch (error.kind) {
    case AppleDepErrorKind.TERMS_NOT_SIGNED:
      return new DomainError(
        ErrorCode.TOKEN_TERMS_NOT_ACCEPTED,
        'Apple has new terms and conditions: an administrator must accept them in Apple Business Manager (or Apple School Manager), then upload again',
      );
    case AppleDepErrorKind.ACCESS_DENIED:
    case AppleDepErrorKind.UNAUTHORIZED:
      return new DomainError(
        ErrorCode.TOKEN_REJECTED_BY_APPLE,
        'Apple refused this token: download a new one for the MDM server in the portal and upload it',
      );
    case AppleDepErrorKind.RATE_LIMITED:
      return new DomainError(ErrorCode.APPLE_RATE_LIMITED, 'Apple is rate limiting requests; try again later', {
        retryAfterSeconds: error.retryAfterSeconds ?? null,
      });
    default:
      return new DomainError(ErrorCode.APPLE_UNAVAILABLE, `Apple's device enrollment service could not be reached (${error.kind}); try again later`);
  }
}
