import { inspect } from 'node:util';
import { SecretBox, SecretBoxError, generateSecretKey, parseSecretKey } from '../../../src/crypto/secret-box';

const KEY_HEX = 'a3'.repeat(16) + '5c'.repeat(16);
const KEY_BYTES = Buffer.from(KEY_HEX, 'hex');

function catchError(fn: () => unknown): SecretBoxError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error('expected a SecretBoxError');
}

/** Flips one bit of the decoded body at `index` and re-encodes it. */
function flipByte(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed.slice(3), 'base64url');
  bytes[index] ^= 0x01;
  return `v1:${bytes.toString('base64url')}`;
}

describe('parseSecretKey', () => {
  it('accepts 64 hex characters, either case, with surrounding whitespace', () => {
    expect(parseSecretKey(KEY_HEX)).toEqual(KEY_BYTES);
    expect(parseSecretKey(KEY_HEX.toUpperCase())).toEqual(KEY_BYTES);
    expect(parseSecretKey(` ${KEY_HEX}\n`)).toEqual(KEY_BYTES);
  });

  it('accepts base64 of 32 bytes: standard, unpadded and URL-safe', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i)); // bytes that need + and /
    const standard = key.toString('base64');
    expect(standard).toMatch(/[+/]/);
    expect(parseSecretKey(standard)).toEqual(key);
    expect(parseSecretKey(standard.replace(/=+$/, ''))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
  });

  it.each([
    ['empty', ''],
    ['too short hex', KEY_HEX.slice(0, 63)],
    ['too long hex', `${KEY_HEX}0`],
    ['hex with a non-hex character', `${KEY_HEX.slice(0, 63)}g`],
    ['base64 of 31 bytes', Buffer.alloc(31, 7).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['a passphrase', 'correct horse battery staple correct horse'],
  ])('rejects %s with a message naming the shape, not the value', (_, value) => {
    const error = catchError(() => parseSecretKey(value));
    expect(error.code).toBe('INVALID_SECRET_KEY');
    expect(error.message).toMatch(/64 hexadecimal characters/);
    expect(error.message).toMatch(/base64/);
    if (value.length > 0) expect(error.message).not.toContain(value);
  });

  it('generateSecretKey makes distinct 64-hex-character keys that parse', () => {
    const a = generateSecretKey();
    const b = generateSecretKey();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(parseSecretKey(a)).toHaveLength(32);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(KEY_HEX);

  it.each([
    ['ASCII', 'CS_810bb5ab05e53becb3bfbe40b3608a0c9039c457'],
    ['empty', ''],
    ['Unicode', 'clé privée 🔑 ключ'],
    ['a PEM private key', `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(1600)}\n-----END PRIVATE KEY-----\n`],
  ])('round-trips %s', (_, plaintext) => {
    expect(box.open(box.seal(plaintext))).toBe(plaintext);
  });

  it('writes v1: + base64url(iv 12 | tag 16 | ciphertext)', () => {
    const sealed = box.seal('hello');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(Buffer.from(sealed.slice(3), 'base64url')).toHaveLength(12 + 16 + 5);
  });

  it('uses a fresh random IV: sealing the same value twice differs', () => {
    const a = box.seal('same secret');
    const b = box.seal('same secret');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(3), 'base64url').subarray(0, 12)).not.toEqual(
      Buffer.from(b.slice(3), 'base64url').subarray(0, 12),
    );
  });

  it.each([
    ['the IV', 0],
    ['the tag', 12],
    ['the ciphertext', 12 + 16 + 3],
  ])('detects tampering with %s without revealing the plaintext or key', (_, index) => {
    const plaintext = 'AS_topsecretaccesssecret';
    const error = catchError(() => box.open(flipByte(box.seal(plaintext), index)));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).not.toContain(plaintext);
    expect(error.message).not.toContain(KEY_HEX);
  });

  it('detects truncation and appended bytes', () => {
    const sealed = box.seal('some secret value');
    expect(catchError(() => box.open(sealed.slice(0, -2))).code).toBe('AUTHENTICATION_FAILED');
    expect(catchError(() => box.open(`${sealed}AA`)).code).toBe('AUTHENTICATION_FAILED');
    expect(catchError(() => box.open('v1:AAAA')).code).toBe('MALFORMED_SEALED_VALUE');
  });

  it('refuses values that are not in the sealed format', () => {
    const sealed = box.seal('x');
    expect(catchError(() => box.open(sealed.slice(3))).code).toBe('MALFORMED_SEALED_VALUE');
    expect(catchError(() => box.open(`v2:${sealed.slice(3)}`)).code).toBe('MALFORMED_SEALED_VALUE');
    expect(catchError(() => box.open(`${sealed.slice(0, 10)}+${sealed.slice(10)}`)).code).toBe('MALFORMED_SEALED_VALUE');
    expect(catchError(() => box.open('')).code).toBe('MALFORMED_SEALED_VALUE');
  });

  it('fails to open under a different key', () => {
    const sealed = box.seal('secret');
    const other = new SecretBox(generateSecretKey());
    expect(catchError(() => other.open(sealed)).code).toBe('AUTHENTICATION_FAILED');
  });

  it('treats the hex, base64 and Buffer forms of one key as the same key', () => {
    const sealed = box.seal('secret');
    expect(new SecretBox(KEY_BYTES.toString('base64')).open(sealed)).toBe('secret');
    expect(new SecretBox(KEY_BYTES).open(sealed)).toBe('secret');
  });

  it('binds an optional context: a value moved to another context does not open', () => {
    const sealed = box.seal('secret', 'dep_token:42:access_secret');
    expect(box.open(sealed, 'dep_token:42:access_secret')).toBe('secret');
    expect(catchError(() => box.open(sealed, 'dep_token:43:access_secret')).code).toBe('AUTHENTICATION_FAILED');
    expect(catchError(() => box.open(sealed)).code).toBe('AUTHENTICATION_FAILED');
  });

  it('refuses a bad key at construction', () => {
    expect(catchError(() => new SecretBox('not a key')).code).toBe('INVALID_SECRET_KEY');
    expect(catchError(() => new SecretBox(Buffer.alloc(16))).code).toBe('INVALID_SECRET_KEY');
  });

  it('does not expose the key when inspected or serialised', () => {
    expect(inspect(box, { showHidden: true, depth: 5 })).not.toContain(KEY_HEX);
    expect(JSON.stringify({ box })).not.toContain(KEY_HEX);
    expect(JSON.stringify({ box })).not.toContain(KEY_BYTES.toString('base64'));
  });
});

describe('SecretBox with a previous key (SECRET_KEY_PREVIOUS)', () => {
  const previous = new SecretBox(KEY_HEX);
  const NEW_KEY = generateSecretKey();
  const rotating = new SecretBox(NEW_KEY, { previous: KEY_HEX });
  const rotated = new SecretBox(NEW_KEY);

  it('opens values sealed under either key, and seals under the new one only', () => {
    const old = previous.seal('secret', 'ctx');
    expect(rotating.hasPreviousKey).toBe(true);
    expect(rotating.open(old, 'ctx')).toBe('secret');
    const fresh = rotating.seal('fresh', 'ctx');
    expect(rotated.open(fresh, 'ctx')).toBe('fresh');
    expect(catchError(() => previous.open(fresh, 'ctx')).code).toBe('AUTHENTICATION_FAILED');
  });

  it('reseals a value under the new key, and leaves one already under it alone', () => {
    const old = previous.seal('secret', 'ctx');
    const resealed = rotating.reseal(old, 'ctx');
    expect(resealed).not.toBeNull();
    expect(rotated.open(resealed!, 'ctx')).toBe('secret');
    expect(rotating.reseal(resealed!, 'ctx')).toBeNull();
    // The context still binds: a previous-key value under another context opens with neither key.
    expect(catchError(() => rotating.reseal(old, 'other')).code).toBe('AUTHENTICATION_FAILED');
  });

  it('refuses a value under neither key, naming both variables but no key', () => {
    const stranger = new SecretBox(generateSecretKey()).seal('secret');
    const error = catchError(() => rotating.open(stranger));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/SECRET_KEY_PREVIOUS/);
    expect(error.message).not.toContain(NEW_KEY);
    expect(error.message).not.toContain(KEY_HEX);
  });

  it('does not expose the previous key when inspected', () => {
    expect(inspect(rotating, { showHidden: true, depth: 5 })).not.toContain(KEY_HEX);
    expect(catchError(() => new SecretBox(NEW_KEY, { previous: 'short' })).code).toBe('INVALID_SECRET_KEY');
  });
});
