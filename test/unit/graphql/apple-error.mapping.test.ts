import { GraphQLError } from 'graphql';
import { AppleRequestException } from '../../../src/apple/apple-request.exception';
import { AppleDepError, AppleDepErrorKind } from '../../../src/apple/dep-errors';
import { AppleVppError, AppleVppErrorKind } from '../../../src/apple/vpp-errors';
import { appleActionMessages } from '../../../src/devices/device.errors';
import { describeDepFailure, describeVppFailure } from '../../../src/graphql/apple-error.mapping';
import { toClientError } from '../../../src/graphql/error-masking';
import { ACCOUNT_CHECK_MESSAGES } from '../../../src/tokens/token.errors';
import { uploadFailureMessages } from '../../../src/vpp/vpp-token.errors';

const dep = (kind: AppleDepErrorKind, extra: Partial<ConstructorParameters<typeof AppleDepError>[0]> = {}) =>
  new AppleDepError({ kind, operation: 'GET /account', ...extra });

describe('describeDepFailure', () => {
  // Every kind, for a request an admin made (upload, assign, define): no APPLE_REQUEST_FAILED there.
  it.each([
    ['TERMS_NOT_SIGNED', 'TOKEN_TERMS_NOT_ACCEPTED'],
    ['ACCESS_DENIED', 'TOKEN_REJECTED_BY_APPLE'],
    ['UNAUTHORIZED', 'TOKEN_REJECTED_BY_APPLE'],
    ['RATE_LIMITED', 'APPLE_RATE_LIMITED'],
    ['UNAVAILABLE', 'APPLE_UNAVAILABLE'],
    ['TIMEOUT', 'APPLE_UNAVAILABLE'],
    ['ABORTED', 'APPLE_UNAVAILABLE'],
    // A 401 with a session Apple had just issued says nothing about the token (issue #9).
    ['SESSION_REFUSED', 'APPLE_UNAVAILABLE'],
    ['CURSOR_INVALID', 'APPLE_UNAVAILABLE'],
    ['CURSOR_EXPIRED', 'APPLE_UNAVAILABLE'],
    ['CURSOR_EXHAUSTED', 'APPLE_UNAVAILABLE'],
    ['CURSOR_REQUIRED', 'APPLE_UNAVAILABLE'],
    ['NOT_FOUND', 'APPLE_UNAVAILABLE'],
    ['BAD_REQUEST', 'APPLE_UNAVAILABLE'],
  ] as const)('%s -> %s', (kind, code) => {
    expect(describeDepFailure(dep(kind), ACCOUNT_CHECK_MESSAGES).code).toBe(code);
    expect(describeDepFailure(dep(kind), appleActionMessages('assign the profile')).code).toBe(code);
  });

  it('maps every kind (a new one fails the type check, and here)', () => {
    for (const kind of Object.values(AppleDepErrorKind)) expect(() => describeDepFailure(dep(kind), ACCOUNT_CHECK_MESSAGES)).not.toThrow();
    expect(() => describeDepFailure(dep('SOMETHING_NEW' as never), ACCOUNT_CHECK_MESSAGES)).toThrow(/Unhandled Apple DEP error kind/);
  });

  it('says it in the words of what the admin was doing, with Retry-After and Apple’s code', () => {
    const rate = describeDepFailure(dep('RATE_LIMITED', { retryAfterSeconds: 30 }), appleActionMessages('assign the profile'));
    expect(rate).toEqual({ code: 'APPLE_RATE_LIMITED', message: 'Apple is rate limiting requests; try to assign the profile again later', extensions: { retryAfterSeconds: 30 } });
    const down = describeDepFailure(dep('BAD_REQUEST', { status: 400, appleCode: 'MALFORMED_REQUEST_BODY' }), appleActionMessages('define the profile'));
    expect(down).toMatchObject({ code: 'APPLE_UNAVAILABLE', extensions: { appleCode: 'MALFORMED_REQUEST_BODY' } });
    expect(down.message).toMatch(/could not define the profile \(BAD_REQUEST\)/);
    expect(describeDepFailure(dep('TERMS_NOT_SIGNED'), ACCOUNT_CHECK_MESSAGES).message).toMatch(/then upload again$/);
  });
});

describe('describeVppFailure', () => {
  const expiresAt = new Date('2026-01-01T00:00:00Z');
  const vpp = (kind: AppleVppErrorKind, extra: Partial<ConstructorParameters<typeof AppleVppError>[0]> = {}) => new AppleVppError({ kind, ...extra });
  it.each([
    ['TOKEN_EXPIRED', 'VPP_TOKEN_EXPIRED', { expiredAt: expiresAt.toISOString() }],
    ['TOKEN_INVALID', 'VPP_TOKEN_REJECTED_BY_APPLE', { appleErrorNumber: 9622 }],
    ['TOKEN_REVOKED', 'VPP_TOKEN_REJECTED_BY_APPLE', { appleErrorNumber: 9622 }],
    ['RATE_LIMITED', 'APPLE_RATE_LIMITED', { retryAfterSeconds: null }],
    ['UNAVAILABLE', 'APPLE_UNAVAILABLE', {}],
    ['TIMEOUT', 'APPLE_UNAVAILABLE', {}],
    ['BAD_REQUEST', 'APPLE_UNAVAILABLE', {}],
    ['ABORTED', 'APPLE_UNAVAILABLE', {}],
  ] as const)('%s -> %s', (kind, code, extensions) => {
    expect(describeVppFailure(vpp(kind, { errorNumber: 9622 }), uploadFailureMessages(expiresAt))).toMatchObject({ code, extensions });
  });

  it('tells a revoked token from an invalid one', () => {
    expect(describeVppFailure(vpp('TOKEN_REVOKED'), uploadFailureMessages(expiresAt)).message).toMatch(/revoked/);
    expect(describeVppFailure(vpp('TOKEN_INVALID'), uploadFailureMessages(expiresAt)).message).not.toMatch(/revoked/);
  });
});

describe('at the GraphQL boundary', () => {
  it('a failed Apple call a feature threw reaches the client with its code, not masked', () => {
    const thrown = new AppleRequestException({ family: 'DEP', error: dep('UNAUTHORIZED', { status: 401 }), messages: appleActionMessages('assign the profile') });
    const formatted = toClientError(new GraphQLError(thrown.message, { originalError: thrown, path: ['assignEnrollmentProfile'] }), 'req-1');
    expect(formatted).toMatchObject({
      message: "Apple refused this token's credentials while trying to assign the profile: renew the token",
      extensions: { code: 'TOKEN_REJECTED_BY_APPLE', requestId: 'req-1' },
    });
    const vppThrown = new AppleRequestException({
      family: 'VPP',
      error: new AppleVppError({ kind: 'RATE_LIMITED', retryAfterSeconds: 5 }),
      messages: uploadFailureMessages(new Date()),
    });
    expect(toClientError(new GraphQLError('x', { originalError: vppThrown, path: ['uploadVppToken'] }), 'req-2').extensions).toEqual({
      code: 'APPLE_RATE_LIMITED',
      retryAfterSeconds: 5,
      requestId: 'req-2',
    });
  });
});
