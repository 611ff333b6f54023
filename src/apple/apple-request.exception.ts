/**
 * An Apple call made for an admin failed. The feature that made it throws one of these with what to
 * tell the admin for each way Apple can fail, in the words of what they were doing; which of those
 * messages applies and which `extensions.code` goes with it is decided once, at the GraphQL
 * boundary (src/graphql/apple-error.mapping.ts: one exhaustive switch per Apple error family).
 * Nothing here knows about GraphQL. Messages must never carry a secret (Apple errors' own messages
 * are safe to quote).
 */
import type { AppleDepError } from './dep-errors';
import type { AppleVppError } from './vpp-errors';

/** What to say when a DEP (device enrollment) call fails, by the kind of failure. */
export interface DepFailureMessages {
  /** Apple's new terms and conditions must be accepted in the portal. */
  termsNotAccepted: string;
  /** Apple refused the token's credentials (access denied, unauthorized). */
  rejected: string;
  rateLimited(error: AppleDepError): string;
  /** Apple did not answer (5xx, network, timeout) or the call was aborted. */
  unavailable(error: AppleDepError): string;
  /**
   * Apple refused the request itself (bad request, not found, cursor): reported with this message as
   * APPLE_REQUEST_FAILED. Without it these read as Apple being unavailable (what an admin can do
   * about them is the same: try later).
   */
  requestFailed?(error: AppleDepError): string;
}

/** What to say when an Apps and Books (VPP) call fails, by the kind of failure. */
export interface VppFailureMessages {
  expired: string;
  /** When the token file says it expired, returned as `extensions.expiredAt`. */
  expiredAt?: Date;
  /** Apple does not accept the token (invalid authentication). */
  invalid: string;
  /** A newer token was downloaded for the location. */
  revoked: string;
  rateLimited: string;
  unavailable(error: AppleVppError): string;
}

/** The failed call, its family (each has its own error kinds) and what to tell the admin. */
export type AppleRequestFailure =
  | { family: 'DEP'; error: AppleDepError; messages: DepFailureMessages }
  | { family: 'VPP'; error: AppleVppError; messages: VppFailureMessages };

export class AppleRequestException extends Error {
  constructor(readonly failure: AppleRequestFailure) {
    super(failure.error.message, { cause: failure.error });
    this.name = 'AppleRequestException';
  }
}
