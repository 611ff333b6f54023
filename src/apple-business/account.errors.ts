/**
 * Apple School and Business API failures as admins are told them: one mapping from the client's
 * error kinds to DomainErrors (free of GraphQL; the boundary turns them into `extensions.code`).
 */
import { AppleBusinessError } from '../apple/business-client';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

export function businessDomainError(error: unknown, doing: string): unknown {
  if (!(error instanceof AppleBusinessError)) return error;
  switch (error.kind) {
    case 'INVALID_CLIENT':
      return new DomainError(ErrorCode.APPLE_BUSINESS_CLIENT_REFUSED, `Apple refused the API account while ${doing} (invalid_client): check the client ID, the key ID and the private key, or create a new key in Settings > API`);
    case 'UNAUTHORIZED':
      // The client already fetched a new access token once: Apple refuses the account, not a stale token.
      return new DomainError(ErrorCode.APPLE_BUSINESS_CLIENT_REFUSED, `Apple refused the API account while ${doing} (401 even with a new access token): check the account in Settings > API, or create a new key`);
    case 'INVALID_SCOPE':
    case 'FORBIDDEN':
      return new DomainError(
        ErrorCode.APPLE_BUSINESS_SCOPE_MISMATCH,
        `Apple refused the scope while ${doing}: is this an Apple School Manager account connected as BUSINESS, or the reverse? (Or the API account lost the right to this request.)`,
        { field: 'scope' },
      );
    case 'RATE_LIMITED':
      return new DomainError(ErrorCode.APPLE_RATE_LIMITED, `Apple is rate limiting requests while ${doing}; try again later`, { retryAfterSeconds: error.retryAfterSeconds ?? null });
    case 'CONFLICT':
    case 'BAD_REQUEST':
    case 'NOT_FOUND':
      return new DomainError(ErrorCode.APPLE_BUSINESS_REQUEST_REFUSED, `Apple refused ${doing}: ${error.message}`, { appleCode: error.appleCode ?? null });
    case 'UNAVAILABLE':
    case 'BAD_RESPONSE':
      return new DomainError(ErrorCode.APPLE_UNAVAILABLE, `Apple's School and Business API failed while ${doing} (${error.kind}); try again later`, { appleCode: error.appleCode ?? null });
  }
}
