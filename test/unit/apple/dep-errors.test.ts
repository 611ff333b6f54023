import {
  AppleDepError,
  errorFromResponse,
  extractAppleCode,
  parseRetryAfter,
} from '../../../src/apple/dep-errors';

describe('parseRetryAfter', () => {
  const now = new Date('2025-03-01T12:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date relative to the given clock, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or garbage values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('extractAppleCode', () => {
  it('finds codes in plain text and JSON bodies', () => {
    expect(extractAppleCode('INVALID_CURSOR')).toBe('INVALID_CURSOR');
    expect(extractAppleCode('"EXPIRED_CURSOR"')).toBe('EXPIRED_CURSOR');
    expect(extractAppleCode('{"code":"CONFIG_NAME_INVALID","message":"too long"}')).toBe('CONFIG_NAME_INVALID');
    expect(extractAppleCode('{"error":"SOMETHING_NEW_HERE"}')).toBe('SOMETHING_NEW_HERE');
    expect(extractAppleCode('oauth_problem=signature_invalid')).toBe('oauth_problem=signature_invalid');
  });
  it('does not pick up lower-case or hex-like tokens', () => {
    expect(extractAppleCode('Service Unavailable')).toBeUndefined();
    expect(extractAppleCode('CS_0a1b2c3d')).toBeUndefined();
    expect(extractAppleCode('AT_O8473841830L7dbd')).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  const cases: Array<[number, string, string, boolean]> = [
    [400, 'INVALID_CURSOR', 'CURSOR_INVALID', false],
    [400, 'EXPIRED_CURSOR', 'CURSOR_EXPIRED', false],
    [400, '{"code":"EXHAUSTED_CURSOR"}', 'CURSOR_EXHAUSTED', false],
    [400, 'CURSOR_REQUIRED', 'CURSOR_REQUIRED', false],
    [400, 'FLAGS_INVALID', 'BAD_REQUEST', false],
    [401, 'UNAUTHORIZED', 'UNAUTHORIZED', false],
    [403, 'T_C_NOT_SIGNED', 'TERMS_NOT_SIGNED', false],
    [403, 'ACCESS_DENIED', 'ACCESS_DENIED', false],
    [404, 'PROFILE_NOT_FOUND', 'NOT_FOUND', false],
    [429, '', 'RATE_LIMITED', true],
    [500, '', 'UNAVAILABLE', true],
    [503, 'Service Unavailable', 'UNAVAILABLE', true],
    [409, '', 'BAD_REQUEST', false],
  ];
  it.each(cases)('%i %s -> %s (retryable %s)', (status, body, kind, retryable) => {
    const error = errorFromResponse({ status, body });
    expect(error).toBeInstanceOf(AppleDepError);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
  });
  it('keeps Apple\'s code and Retry-After, and says them in the message', () => {
    const e = errorFromResponse({ status: 400, body: 'CONFIG_NAME_INVALID', operation: 'POST /profile' });
    expect(e.appleCode).toBe('CONFIG_NAME_INVALID');
    expect(e.message).toBe('Apple DEP BAD_REQUEST on POST /profile (HTTP 400 CONFIG_NAME_INVALID)');
    const r = errorFromResponse({ status: 429, body: '', retryAfterSeconds: 7 });
    expect(r.retryAfterSeconds).toBe(7);
    expect(r.message).toContain('retry after 7s');
  });
  it('never copies the body into the message or the JSON form', () => {
    const body = 'ACCESS_DENIED for token AT_secret_value with secret cs_abc';
    const e = errorFromResponse({ status: 403, body });
    expect(e.message).not.toContain('AT_secret_value');
    expect(e.message).not.toContain('cs_abc');
    expect(JSON.stringify(e)).not.toContain('AT_secret_value');
  });
});
