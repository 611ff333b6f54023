/**
 * How token-file and Apple failures are told to the admin during upload and renewal. Messages name
 * what went wrong and what to do; they never carry a secret. Which Apple failure gets which message
 * and code is decided once, in src/graphql/apple-error.mapping.ts.
 */
import type { DepFailureMessages } from '../apple/apple-request.exception';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { TokenFileError } from './token-file';

export function tokenFileDomainError(error: TokenFileError): DomainError {
  // The token-file codes are part of the central list under the same names.
  return new DomainError(ErrorCode[error.code], error.message);
}

/** Apple's answer to /account with freshly uploaded credentials. */
export const ACCOUNT_CHECK_MESSAGES: DepFailureMessages = {
  termsNotAccepted:
    'Apple has new terms and conditions: an administrator must accept them in Apple Business Manager (or Apple School Manager), then upload again',
  rejected: 'Apple refused this token: download a new one for the MDM server in the portal and upload it',
  rateLimited: () => 'Apple is rate limiting requests; try again later',
  unavailable: (error) => `Apple's device enrollment service could not be reached (${error.kind}); try again later`,
};
