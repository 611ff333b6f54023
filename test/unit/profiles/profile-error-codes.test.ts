import { ErrorCode } from '../../../src/graphql/error-codes';
import { PROFILE_ERROR_CODES, type ProfileErrorCodesMissingFromErrorCode } from '../../../src/profiles/profile.errors';

// Compile-time: every profile code is in the central list (this line fails to type-check otherwise).
const allInErrorCode: [ProfileErrorCodesMissingFromErrorCode] extends [never] ? true : false = true;

describe('profile error codes', () => {
  it('are all in the central ErrorCode list, under their own names', () => {
    expect(allInErrorCode).toBe(true);
    for (const code of PROFILE_ERROR_CODES) expect((ErrorCode as Record<string, string>)[code]).toBe(code);
  });
});
