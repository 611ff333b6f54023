/**
 * How token-file and Apple failures become typed errors when a VPP token is uploaded or renewed.
 * Messages say what to do; none carries the token.
 */
import { AppleVppError } from '../apple/vpp-errors';
import { DomainError } from '../graphql/domain-error';
import { ErrorCode } from '../graphql/error-codes';
import type { VppTokenFileError } from './vpp-token-file';

export function vppTokenFileDomainError(error: VppTokenFileError): DomainError {
  return new DomainError(ErrorCode[error.code], error.message, { field: 'tokenFile' });
}

export function vppTokenExpiredError(expiredAt: Date): DomainError {
  return new DomainError(
    ErrorCode.VPP_TOKEN_EXPIRED,
    `This location token expired on ${expiredAt.toISOString()}: download a new one under Preferences > Payments and Billing in Apple Business Manager`,
    { expiredAt: expiredAt.toISOString() },
  );
}

/** Apple's answer to client/config for a token being uploaded or renewed. */
export function appleVppDomainError(error: AppleVppError, fileExpiry?: Date): DomainError {
  switch (error.kind) {
    case 'TOKEN_EXPIRED':
      return fileExpiry
        ? vppTokenExpiredError(fileExpiry)
        : new DomainError(ErrorCode.VPP_TOKEN_EXPIRED, 'Apple says this location token has expired: download a new one');
    case 'TOKEN_INVALID':
    case 'TOKEN_REVOKED':
      return new DomainError(
        ErrorCode.VPP_TOKEN_REJECTED_BY_APPLE,
        error.kind === 'TOKEN_REVOKED'
          ? 'Apple says this location token was revoked (a newer token was downloaded for the location): upload the newest .vpptoken'
          : 'Apple does not accept this location token: download it again from Apple Business Manager',
        { appleErrorNumber: error.errorNumber ?? null },
      );
    case 'RATE_LIMITED':
      return new DomainError(ErrorCode.APPLE_RATE_LIMITED, 'Apple is rate limiting requests; try again later', {
        retryAfterSeconds: error.retryAfterSeconds ?? null,
      });
    default:
      return new DomainError(ErrorCode.APPLE_UNAVAILABLE, `Apple's Apps and Books service could not be reached (${error.kind}); try again later`);
  }
}

/** A short, safe description of a refresh failure, stored on the token and shown to admins. */
export function describeRefreshError(error: unknown): string {
  if (error instanceof AppleVppError) return error.message;
  return 'Unexpected error while reading licences from Apple';
}
