import { parseVppTokenFile, VppTokenFileError } from '../../../src/vpp/vpp-token-file';

const file = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64');
const sample = { token: 'VGhpcyBpcyBhIHNhbXBsZSB0b2tlbg==', expDate: '2030-11-08T22:33:22-0700', orgName: 'Example Corp' };

function code(input: string): string | undefined {
  try {
    parseVppTokenFile(input);
    return undefined;
  } catch (e) {
    return (e as VppTokenFileError).code;
  }
}

it('reads token, expiry (Apple offset format) and organisation; the sToken is the file text', () => {
  const text = file(sample);
  expect(parseVppTokenFile(text)).toEqual({ sToken: text, expiresAt: new Date('2030-11-09T05:33:22Z'), orgName: 'Example Corp' });
});

it('ignores line breaks and accepts base64 of the file bytes', () => {
  const text = file(sample);
  expect(parseVppTokenFile(`${text.slice(0, 20)}\r\n${text.slice(20)}\n`).sToken).toBe(text);
  expect(parseVppTokenFile(Buffer.from(text).toString('base64')).sToken).toBe(text);
});

it('refuses what is not a location token', () => {
  expect(code('')).toBe('VPP_TOKEN_FILE_UNREADABLE');
  expect(code('hello world')).toBe('VPP_TOKEN_FILE_UNREADABLE');
  expect(code(file([1, 2]))).toBe('VPP_TOKEN_FILE_UNREADABLE');
  expect(code(file({ ...sample, token: '' }))).toBe('VPP_TOKEN_FILE_UNREADABLE');
  expect(code(file({ ...sample, expDate: 'soon' }))).toBe('VPP_TOKEN_FILE_UNREADABLE');
  expect(code('A'.repeat(65 * 1024))).toBe('VPP_TOKEN_FILE_TOO_LARGE');
});

it('never puts the token in an error message', () => {
  try {
    parseVppTokenFile(file({ ...sample, expDate: 'x' }));
  } catch (e) {
    expect((e as Error).message).not.toContain(sample.token);
  }
});
