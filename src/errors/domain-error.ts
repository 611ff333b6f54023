import { ErrorCode } from './error-codes';

/**
 * An expected failure: a rule said no. Services throw it; the GraphQL layer turns it into a
 * GraphQLError with `extensions.code` (see error-masking.ts). Messages are for admins and must
 * never contain secrets.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} was not found`);
export const badInput = (message: string, field?: string) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
