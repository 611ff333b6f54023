/**
 * A token's own enrollment URL (updateDepToken): https only where Apple is real (devices enroll only
 * over https), http(s) with the simulator; trimmed; no credentials; Apple's 2000 characters.
 */
import { effectiveEnrollmentUrl, validEnrollmentUrl } from '../../../src/profiles/enrollment-url';
import { DomainError } from '../../../src/errors/domain-error';

function refusal(value: string, httpsOnly: boolean): { code: unknown; field: unknown } | null {
  try {
    validEnrollmentUrl(value, httpsOnly);
    return null;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, field: error.extensions.field };
  }
}

it('refuses http where Apple is real and accepts it with the simulator', () => {
  expect(refusal('http://mdm.example.com/enroll', true)).toEqual({ code: 'ENROLLMENT_URL_INVALID', field: 'enrollmentUrl' });
  expect(validEnrollmentUrl(' http://mdm.example.com/enroll ', false)).toBe('http://mdm.example.com/enroll');
  expect(validEnrollmentUrl('https://mdm.example.com/enroll', true)).toBe('https://mdm.example.com/enroll');
});

it.each([
  ['no host', 'https://', 'ENROLLMENT_URL_INVALID'],
  ['credentials', 'https://admin@mdm.example.com/enroll', 'ENROLLMENT_URL_INVALID'],
  ['not a URL', 'mdm.example.com/enroll', 'ENROLLMENT_URL_INVALID'],
  ['2001 characters', `https://mdm.example.com/${'e'.repeat(2001 - 24)}`, 'ENROLLMENT_URL_TOO_LONG'],
])('refuses %s', (_what, value, code) => {
  expect(refusal(value, true)).toEqual({ code, field: 'enrollmentUrl' });
});

it('accepts exactly 2000 characters', () => {
  const url = `https://mdm.example.com/${'e'.repeat(2000 - 24)}`;
  expect(validEnrollmentUrl(url, true)).toBe(url);
});

it("prefers the token's URL to ENROLLMENT_URL, and has none when neither is set", () => {
  expect(effectiveEnrollmentUrl({ enrollmentUrl: 'https://a.example.com/e' }, { enrollmentUrl: 'https://b.example.com/e' })).toBe('https://a.example.com/e');
  expect(effectiveEnrollmentUrl({ enrollmentUrl: null }, { enrollmentUrl: 'https://b.example.com/e' })).toBe('https://b.example.com/e');
  expect(effectiveEnrollmentUrl({ enrollmentUrl: null }, { enrollmentUrl: undefined })).toBeUndefined();
});
