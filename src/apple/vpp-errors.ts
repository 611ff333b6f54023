/**
 * One typed error for Apple's Apps and Books (VPP) API, so callers switch on `kind` (and Apple's
 * `errorNumber`) instead of parsing text. Messages are built from the operation, the HTTP status
 * and Apple's numeric error only: never from request headers (the sToken is a bearer secret) and
 * never from a raw body.
 */
import { VPP_ERROR_TOKEN_EXPIRED, VPP_ERROR_TOKEN_INVALID, VPP_ERROR_TOKEN_REVOKED } from './vpp.types';

export const AppleVppErrorKind = {
  /** 9621: the token has expired. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** 9622 (invalid authentication token) or any other 401/403. */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** 9625: the sToken was revoked (a newer token was downloaded, or the location changed). */
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** 5xx, network failure, or an unreadable success body. */
  UNAVAILABLE: 'UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  BAD_REQUEST: 'BAD_REQUEST',
  ABORTED: 'ABORTED',
} as const;
export type AppleVppErrorKind = (typeof AppleVppErrorKind)[keyof typeof AppleVppErrorKind];

const RETRYABLE: ReadonlySet<AppleVppErrorKind> = new Set<AppleVppErrorKind>(['RATE_LIMITED', 'UNAVAILABLE', 'TIMEOUT']);

export interface AppleVppErrorInit {
  kind: AppleVppErrorKind;
  status?: number;
  errorNumber?: number;
  retryAfterSeconds?: number;
  operation?: string;
  cause?: unknown;
}

export class AppleVppError extends Error {
  readonly kind: AppleVppErrorKind;
  readonly status?: number;
  readonly errorNumber?: number;
  readonly retryAfterSeconds?: number;
  readonly operation?: string;
  readonly retryable: boolean;

  constructor(init: AppleVppErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppleVppError';
    this.kind = init.kind;
    this.status = init.status;
    this.errorNumber = init.errorNumber;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.operation = init.operation;
    this.retryable = RETRYABLE.has(init.kind);
  }

  /** Whether Apple refused the token itself (expired, invalid, revoked): retrying cannot help. */
  get tokenRefused(): boolean {
    return this.kind === 'TOKEN_EXPIRED' || this.kind === 'TOKEN_INVALID' || this.kind === 'TOKEN_REVOKED';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      errorNumber: this.errorNumber,
      retryAfterSeconds: this.retryAfterSeconds,
      retryable: this.retryable,
      operation: this.operation,
      message: this.message,
    };
  }
}

export function isAppleVppError(error: unknown): error is AppleVppError {
  return error instanceof AppleVppError;
}

function describe(init: AppleVppErrorInit): string {
  const parts = [`Apple Apps and Books ${init.kind}`];
  if (init.operation) parts.push(`on ${init.operation}`);
  if (init.status !== undefined) parts.push(`(HTTP ${init.status}${init.errorNumber !== undefined ? ` error ${init.errorNumber}` : ''})`);
  else if (init.errorNumber !== undefined) parts.push(`(error ${init.errorNumber})`);
  if (init.retryAfterSeconds !== undefined) parts.push(`retry after ${init.retryAfterSeconds}s`);
  return parts.join(' ');
}

/** Apple's numeric error from a body, if it is the documented JSON shape. */
export function extractVppErrorNumber(body: string): number | undefined {
  try {
    const value = JSON.parse(body) as { errorNumber?: unknown };
    if (value && typeof value === 'object' && Number.isInteger(value.errorNumber)) return value.errorNumber as number;
  } catch {
    // not JSON
  }
  return undefined;
}

/** Maps a non-2xx answer to the typed error. The token errors win over the HTTP status. */
export function vppErrorFromResponse(input: {
  status: number;
  body: string;
  retryAfterSeconds?: number;
  operation?: string;
}): AppleVppError {
  const { status, retryAfterSeconds, operation } = input;
  const errorNumber = extractVppErrorNumber(input.body);
  const base = { status, errorNumber, operation };
  if (errorNumber === VPP_ERROR_TOKEN_EXPIRED) return new AppleVppError({ ...base, kind: 'TOKEN_EXPIRED' });
  if (errorNumber === VPP_ERROR_TOKEN_REVOKED) return new AppleVppError({ ...base, kind: 'TOKEN_REVOKED' });
  if (errorNumber === VPP_ERROR_TOKEN_INVALID || status === 401 || status === 403) {
    return new AppleVppError({ ...base, kind: 'TOKEN_INVALID' });
  }
  if (status === 429) return new AppleVppError({ ...base, kind: 'RATE_LIMITED', retryAfterSeconds });
  if (status >= 500) return new AppleVppError({ ...base, kind: 'UNAVAILABLE', retryAfterSeconds });
  return new AppleVppError({ ...base, kind: 'BAD_REQUEST' });
}
