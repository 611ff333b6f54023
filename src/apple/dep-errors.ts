/**
 * One typed error for everything that can go wrong talking to Apple's DEP API (spec §6), so callers
 * (the sync engine, token status, GraphQL error mapping) switch on `kind` instead of parsing text.
 *
 * Messages are built only from the HTTP method, the path, the status and an Apple error code that
 * was matched against a known list or a strict UPPER_SNAKE pattern: never from the raw body or from
 * request headers, so no secret (OAuth secrets, access token, session token) can end up in one.
 */

export const AppleDepErrorKind = {
  TERMS_NOT_SIGNED: 'TERMS_NOT_SIGNED',
  ACCESS_DENIED: 'ACCESS_DENIED',
  /** `GET /session` refused the credentials: the token itself is refused. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /**
   * A request was refused (401) with a session Apple had just issued: the credentials were
   * accepted moments ago, so this is Apple's session store, not the token. Retryable; never
   * changes the token's status.
   */
  SESSION_REFUSED: 'SESSION_REFUSED',
  CURSOR_INVALID: 'CURSOR_INVALID',
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  CURSOR_EXHAUSTED: 'CURSOR_EXHAUSTED',
  CURSOR_REQUIRED: 'CURSOR_REQUIRED',
  RATE_LIMITED: 'RATE_LIMITED',
  /** 5xx, network failure, or an unreadable success body. */
  UNAVAILABLE: 'UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
} as const;
export type AppleDepErrorKind = (typeof AppleDepErrorKind)[keyof typeof AppleDepErrorKind];

/** Kinds where trying again later can succeed without anyone changing anything. */
const RETRYABLE_KINDS: ReadonlySet<AppleDepErrorKind> = new Set<AppleDepErrorKind>([
  'RATE_LIMITED',
  'UNAVAILABLE',
  'TIMEOUT',
  'SESSION_REFUSED',
]);

export interface AppleDepErrorInit {
  kind: AppleDepErrorKind;
  status?: number;
  appleCode?: string;
  retryAfterSeconds?: number;
  /** e.g. `POST /server/devices`: shown in the message, never a full URL with a query secret. */
  operation?: string;
  cause?: unknown;
}

export class AppleDepError extends Error {
  readonly kind: AppleDepErrorKind;
  readonly status?: number;
  readonly appleCode?: string;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;
  readonly operation?: string;

  constructor(init: AppleDepErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppleDepError';
    this.kind = init.kind;
    this.status = init.status;
    this.appleCode = init.appleCode;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.operation = init.operation;
    this.retryable = RETRYABLE_KINDS.has(init.kind);
  }

  /** What a structured logger (pino) serializes: the same safe fields as the message. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      appleCode: this.appleCode,
      retryAfterSeconds: this.retryAfterSeconds,
      retryable: this.retryable,
      operation: this.operation,
      message: this.message,
    };
  }
}

export function isAppleDepError(error: unknown): error is AppleDepError {
  return error instanceof AppleDepError;
}

function describe(init: AppleDepErrorInit): string {
  const parts = [`Apple DEP ${init.kind}`];
  if (init.operation) parts.push(`on ${init.operation}`);
  if (init.status !== undefined) parts.push(`(HTTP ${init.status}${init.appleCode ? ` ${init.appleCode}` : ''})`);
  else if (init.appleCode) parts.push(`(${init.appleCode})`);
  if (init.retryAfterSeconds !== undefined) parts.push(`retry after ${init.retryAfterSeconds}s`);
  return parts.join(' ');
}

/**
 * Codes Apple puts in 400/401/403/404 bodies (spec §2, §3, §6). Matched by substring because Apple
 * answers sometimes with plain text, sometimes with JSON.
 */
export const KNOWN_APPLE_CODES = [
  'T_C_NOT_SIGNED',
  'ACCESS_DENIED',
  'INVALID_CURSOR',
  'EXPIRED_CURSOR',
  'EXHAUSTED_CURSOR',
  'CURSOR_REQUIRED',
  'USER_AGENT_MISSING',
  'USER_AGENT_INVALID',
  'PROFILE_UUID_REQUIRED',
  'PROFILE_NOT_FOUND',
  'CONFIG_NAME_REQUIRED',
  'CONFIG_NAME_INVALID',
  'CONFIG_URL_REQUIRED',
  'CONFIG_URL_INVALID',
  'DEPARTMENT_INVALID',
  'FLAGS_INVALID',
  'LOCALE_INVALID',
  'MAGIC_INVALID',
  'SUPPORT_EMAIL_INVALID',
  'SUPPORT_PHONE_INVALID',
  'MALFORMED_REQUEST_BODY',
  'DEVICE_ID_REQUIRED',
  'DEVICE_LIMIT_EXCEEDED',
] as const;

/**
 * Finds Apple's error code in a response body. Known codes first (earliest in the body wins), then
 * any strict UPPER_SNAKE word of letters (so lower-case/hex secrets cannot match), then an OAuth
 * `oauth_problem=…` value.
 */
export function extractAppleCode(body: string): string | undefined {
  let best: { code: string; at: number } | undefined;
  for (const code of KNOWN_APPLE_CODES) {
    const at = body.indexOf(code);
    if (at >= 0 && (!best || at < best.at)) best = { code, at };
  }
  if (best) return best.code;
  const generic = /(?<![A-Za-z0-9])([A-Z]{2,}(?:_[A-Z]{1,})+)(?![A-Za-z0-9])/.exec(body);
  if (generic) return generic[1];
  const oauth = /oauth_problem=([a-z_]{1,64})/.exec(body);
  if (oauth) return `oauth_problem=${oauth[1]}`;
  return undefined;
}

/**
 * `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Dates are turned into
 * seconds relative to the injected clock, never below zero. Returns undefined when absent/garbage.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  // Only date-looking strings: Date.parse would accept e.g. "12.5" as a date.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Maps a non-2xx response (status + body text) to the typed error. */
export function errorFromResponse(input: {
  status: number;
  body: string;
  retryAfterSeconds?: number;
  operation?: string;
}): AppleDepError {
  const { status, body, retryAfterSeconds, operation } = input;
  const appleCode = extractAppleCode(body);
  const base = { status, appleCode, operation };
  if (status === 400) {
    switch (appleCode) {
      case 'INVALID_CURSOR':
        return new AppleDepError({ ...base, kind: 'CURSOR_INVALID' });
      case 'EXPIRED_CURSOR':
        return new AppleDepError({ ...base, kind: 'CURSOR_EXPIRED' });
      case 'EXHAUSTED_CURSOR':
        return new AppleDepError({ ...base, kind: 'CURSOR_EXHAUSTED' });
      case 'CURSOR_REQUIRED':
        return new AppleDepError({ ...base, kind: 'CURSOR_REQUIRED' });
      default:
        return new AppleDepError({ ...base, kind: 'BAD_REQUEST' });
    }
  }
  if (status === 401) return new AppleDepError({ ...base, kind: 'UNAUTHORIZED' });
  if (status === 403) {
    // Apple uses 403 for both; anything else on 403 is treated as a refusal too.
    return new AppleDepError({
      ...base,
      kind: appleCode === 'T_C_NOT_SIGNED' ? 'TERMS_NOT_SIGNED' : 'ACCESS_DENIED',
    });
  }
  if (status === 404) return new AppleDepError({ ...base, kind: 'NOT_FOUND' });
  if (status === 429) return new AppleDepError({ ...base, kind: 'RATE_LIMITED', retryAfterSeconds });
  if (status >= 500) return new AppleDepError({ ...base, kind: 'UNAVAILABLE', retryAfterSeconds });
  return new AppleDepError({ ...base, kind: 'BAD_REQUEST' });
}
