/**
 * How token-file and Apple failures are told to the admin when a VPP token is uploaded or renewed.
 * Messages say what to do; none carries the token. Which Apple failure gets which message and code
 * is decided once, in src/graphql/apple-error.mapping.ts.
 */
import type { VppFailureMessages } from '../apple/apple-request.exception';
import { AppleVppError } from '../apple/vpp-errors';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import type { VppTokenFileError } from './vpp-token-file';

export function vppTokenFileDomainError(error: VppTokenFileError): DomainError {
  return new DomainError(ErrorCode[error.code], error.message, { field: 'tokenFile' });
}

function expiredMessage(expiredAt: Date): string {
  return `This location token expired on ${expiredAt.toISOString()}: download a new one under Preferences > Payments and Billing in Apple Business Manager`;
}

export function vppTokenExpiredError(expiredAt: Date): DomainError {
  return new DomainError(ErrorCode.VPP_TOKEN_EXPIRED, expiredMessage(expiredAt), { expiredAt: expiredAt.toISOString() });
}

/** Apple's answer to client/config for a token being uploaded or renewed (its file says when it expires). */
export function uploadFailureMessages(fileExpiresAt: Date): VppFailureMessages {
  return {
    expired: expiredMessage(fileExpiresAt),
    expiredAt: fileExpiresAt,
    invalid: 'Apple does not accept this location token: download it again from Apple Business Manager',
    revoked: 'Apple says this location token was revoked (a newer token was downloaded for the location): upload the newest .vpptoken',
    rateLimited: 'Apple is rate limiting requests; try again later',
    unavailable: (error) => `Apple's Apps and Books service could not be reached (${error.kind}); try again later`,
  };
}

/** A short, safe description of a refresh failure, stored on the token and shown to admins. */
export function describeRefreshError(error: unknown): string {
  if (error instanceof AppleVppError) return error.message;
  return 'Unexpected error while reading licences from Apple';
}
