/**
 * The error a broken enrollment-profile rule throws. Its codes are the central `ErrorCode` list's
 * (src/errors/error-codes.ts, "Enrollment profiles"): one code per rule, documented there.
 */
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** A code of the central list written as its string, as the rules do ('PROFILE_NAME_REQUIRED'). */
export type ProfileErrorCode = `${ErrorCode}`;

/**
 * A profile rule said no. It is a DomainError, so the GraphQL layer returns it as is with
 * `extensions.code` = `code`; services throw it before writing anything.
 */
export class ProfileRuleError extends DomainError {
  constructor(code: ProfileErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    // Every ErrorCode is its own name as a string, so the lookup is the enum member.
    super(ErrorCode[code], message, extensions);
    this.name = 'ProfileRuleError';
  }
}
