/**
 * The one place Apple's typed errors become depgate's error codes: one exhaustive switch per Apple
 * error family (DEP over AppleDepErrorKind, VPP over AppleVppErrorKind). Features say what to tell
 * the admin (the messages, which depend on what they were doing); this file decides which message
 * and which `extensions.code` a failure gets, so a new Apple error kind fails the type check here
 * until it is mapped. Used by the GraphQL boundary (error-masking.ts, for the exceptions features
 * throw) and by the sync engine (a run's stored error carries the same codes).
 */
import { assertUnreachable } from '../assert-unreachable';
import {
  AppleRequestException,
  type AppleRequestFailure,
  type DepFailureMessages,
  type VppFailureMessages,
} from '../apple/apple-request.exception';
import { type AppleDepError, AppleDepErrorKind } from '../apple/dep-errors';
import { type AppleVppError, AppleVppErrorKind } from '../apple/vpp-errors';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';

/** What a client is told about a failed Apple call. */
export interface AppleFailure {
  code: ErrorCode;
  message: string;
  extensions: Record<string, unknown>;
}

export function describeDepFailure(error: AppleDepError, messages: DepFailureMessages): AppleFailure {
  switch (error.kind) {
    case AppleDepErrorKind.TERMS_NOT_SIGNED:
      return { code: ErrorCode.TOKEN_TERMS_NOT_ACCEPTED, message: messages.termsNotAccepted, extensions: {} };
    case AppleDepErrorKind.ACCESS_DENIED:
    case AppleDepErrorKind.UNAUTHORIZED:
      return { code: ErrorCode.TOKEN_REJECTED_BY_APPLE, message: messages.rejected, extensions: {} };
    case AppleDepErrorKind.RATE_LIMITED:
      return {
        code: ErrorCode.APPLE_RATE_LIMITED,
        message: messages.rateLimited(error),
        extensions: { retryAfterSeconds: error.retryAfterSeconds ?? null },
      };
    case AppleDepErrorKind.UNAVAILABLE:
    case AppleDepErrorKind.TIMEOUT:
    case AppleDepErrorKind.ABORTED:
    case AppleDepErrorKind.SESSION_REFUSED:
      return depUnavailable(error, messages);
    case AppleDepErrorKind.CURSOR_INVALID:
    case AppleDepErrorKind.CURSOR_EXPIRED:
    case AppleDepErrorKind.CURSOR_EXHAUSTED:
    case AppleDepErrorKind.CURSOR_REQUIRED:
    case AppleDepErrorKind.NOT_FOUND:
    case AppleDepErrorKind.BAD_REQUEST:
      return messages.requestFailed
        ? { code: ErrorCode.APPLE_REQUEST_FAILED, message: messages.requestFailed(error), extensions: {} }
        : depUnavailable(error, messages);
    default:
      return assertUnreachable(error.kind, 'Apple DEP error kind');
  }
}

function depUnavailable(error: AppleDepError, messages: DepFailureMessages): AppleFailure {
  return {
    code: ErrorCode.APPLE_UNAVAILABLE,
    message: messages.unavailable(error),
    // Apple's code was matched against a known list or a strict pattern (dep-errors.ts): no secret.
    extensions: error.appleCode ? { appleCode: error.appleCode } : {},
  };
}

export function describeVppFailure(error: AppleVppError, messages: VppFailureMessages): AppleFailure {
  switch (error.kind) {
    case AppleVppErrorKind.TOKEN_EXPIRED:
      return {
        code: ErrorCode.VPP_TOKEN_EXPIRED,
        message: messages.expired,
        extensions: messages.expiredAt ? { expiredAt: messages.expiredAt.toISOString() } : {},
      };
    case AppleVppErrorKind.TOKEN_INVALID:
      return { code: ErrorCode.VPP_TOKEN_REJECTED_BY_APPLE, message: messages.invalid, extensions: { appleErrorNumber: error.errorNumber ?? null } };
    case AppleVppErrorKind.TOKEN_REVOKED:
      return { code: ErrorCode.VPP_TOKEN_REJECTED_BY_APPLE, message: messages.revoked, extensions: { appleErrorNumber: error.errorNumber ?? null } };
    case AppleVppErrorKind.RATE_LIMITED:
      return { code: ErrorCode.APPLE_RATE_LIMITED, message: messages.rateLimited, extensions: { retryAfterSeconds: error.retryAfterSeconds ?? null } };
    case AppleVppErrorKind.UNAVAILABLE:
    case AppleVppErrorKind.TIMEOUT:
    case AppleVppErrorKind.BAD_REQUEST:
    case AppleVppErrorKind.ABORTED:
      return { code: ErrorCode.APPLE_UNAVAILABLE, message: messages.unavailable(error), extensions: {} };
    default:
      return assertUnreachable(error.kind, 'Apple VPP error kind');
  }
}

function describeFailure(failure: AppleRequestFailure): AppleFailure {
  switch (failure.family) {
    case 'DEP':
      return describeDepFailure(failure.error, failure.messages);
    case 'VPP':
      return describeVppFailure(failure.error, failure.messages);
    default:
      return assertUnreachable(failure, 'Apple error family');
  }
}

/** A failed Apple call a feature threw, as the DomainError clients see; undefined for anything else. */
export function appleRequestDomainError(error: unknown): DomainError | undefined {
  if (!(error instanceof AppleRequestException)) return undefined;
  const { code, message, extensions } = describeFailure(error.failure);
  return new DomainError(code, message, extensions);
}
