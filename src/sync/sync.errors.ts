/**
 * How a failed run is described: a code from the central list and a message an admin can act on.
 * Built from typed errors only (AppleDepError kinds), never from Apple's response body, so a
 * run's error never carries a secret.
 */
import type { DepFailureMessages } from '../apple/apple-request.exception';
import { AppleDepErrorKind, isAppleDepError, type AppleDepError } from '../apple/dep-errors';
import { describeDepFailure } from '../graphql/apple-error.mapping';
import { ErrorCode } from '../errors/error-codes';
import type { SyncRunStatusName } from './sync-run.entity';
import { TokenExpiredForSyncError } from './sync-engine';

/** The run exceeded SYNC_TIMEOUT_S (the reason its AbortSignal fired with). */
export class SyncTimeoutError extends Error {
  constructor(readonly timeoutS: number) {
    super(`The sync ran longer than ${timeoutS} seconds and was aborted`);
    this.name = 'SyncTimeoutError';
  }
}

/** This instance is stopping: the run goes back to the queue and resumes from its last page. */
export class SyncHandedBackError extends Error {
  constructor(readonly cause?: unknown) {
    super('The instance running this sync is stopping; the sync resumes on another instance');
    this.name = 'SyncHandedBackError';
  }
}

export interface RunFailure {
  status: Extract<SyncRunStatusName, 'FAILED' | 'TIMED_OUT'>;
  code: ErrorCode;
  message: string;
  /** Apple refused the token as a whole: the token's status says why, retrying now is pointless. */
  tokenRefusal?: 'TERMS' | 'REJECTED' | 'EXPIRED';
  /** Apple asked us to back off. */
  retryAfterSeconds?: number;
}

export function describeFailure(error: unknown, timeoutS: number): RunFailure {
  if (error instanceof SyncTimeoutError || (isAppleDepError(error) && error.kind === AppleDepErrorKind.ABORTED)) {
    return {
      status: 'TIMED_OUT',
      code: ErrorCode.SYNC_TIMED_OUT,
      message: `The sync did not finish within ${timeoutS} seconds and was stopped; the pages fetched so far are kept and the next sync continues from there`,
    };
  }
  if (error instanceof TokenExpiredForSyncError) {
    return {
      status: 'FAILED',
      code: ErrorCode.TOKEN_EXPIRED,
      message: `This token expired on ${error.expiredAt.toISOString()}: download a new token from the portal and renew it`,
      tokenRefusal: 'EXPIRED',
    };
  }
  if (isAppleDepError(error)) return describeAppleFailure(error);
  return {
    status: 'FAILED',
    code: ErrorCode.SYNC_FAILED,
    message: 'The sync failed because of an internal error; it has been logged. A full fetch it interrupted starts over with the next sync',
  };
}

/** What a run's error says about each Apple failure; codes come from the one mapping of Apple errors. */
const SYNC_FAILURE_MESSAGES: DepFailureMessages = {
  termsNotAccepted:
    'Apple has new terms and conditions: an administrator must accept them in Apple Business Manager (or Apple School Manager) before devices can sync',
  rejected: 'Apple refused this token: download a new token for the MDM server in the portal and renew it here',
  rateLimited: (error) =>
    `Apple is rate limiting requests${where(error)}${
      error.retryAfterSeconds !== undefined ? ` and asked to wait ${error.retryAfterSeconds} seconds` : ''
    }; the sync will be tried again later`,
  unavailable: (error) =>
    `Apple's device enrollment service did not answer${where(error)} (${error.kind}${
      error.status ? `, HTTP ${error.status}` : ''
    }) after several tries; the sync will be tried again later`,
  requestFailed: (error) =>
    `Apple refused a sync request${where(error)}: ${error.kind}${error.appleCode ? ` ${error.appleCode}` : ''}${
      error.status ? ` (HTTP ${error.status})` : ''
    }`,
};

function where(error: AppleDepError): string {
  return error.operation ? ` (${error.operation})` : '';
}

/** Token-level refusals: the token's status says why, and retrying before someone acts is pointless. */
const TOKEN_REFUSALS: Partial<Record<ErrorCode, RunFailure['tokenRefusal']>> = {
  [ErrorCode.TOKEN_TERMS_NOT_ACCEPTED]: 'TERMS',
  [ErrorCode.TOKEN_REJECTED_BY_APPLE]: 'REJECTED',
};

function describeAppleFailure(error: AppleDepError): RunFailure {
  // ABORTED never gets here: describeFailure reports it as the timeout it is.
  const { code, message } = describeDepFailure(error, SYNC_FAILURE_MESSAGES);
  const tokenRefusal = TOKEN_REFUSALS[code];
  return {
    status: 'FAILED',
    code,
    message,
    ...(tokenRefusal ? { tokenRefusal } : {}),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}
