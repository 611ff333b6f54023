/**
 * Encryption at rest for the secrets depgate stores (vendor private keys, Apple OAuth secrets,
 * VPP tokens): AES-256-GCM under the SECRET_KEY configuration value.
 *
 * Sealed format, `v1:` + base64url(iv[12] | tag[16] | ciphertext):
 * - the version prefix lets a later format (e.g. one naming a key id for rotation) coexist with
 *   rows already written, and it is bound into the GCM additional data so a value cannot be
 *   relabelled as another version;
 * - a fresh random 96-bit IV per seal (GCM's recommended IV size; random IVs are safe far beyond
 *   the number of secrets this service will ever seal under one key);
 * - base64url so the value is safe in any text column, URL or log-free JSON without escaping.
 *
 * Key rotation (SECRET_KEY_PREVIOUS): a box may also hold the previous key. It seals under the
 * current key only and opens with either, trying the current one first; the format names no key
 * (GCM authentication tells them apart), so rows sealed before rotation need no migration.
 * `reseal` turns a value sealed under the previous key into one under the current key
 * (npm run rotate-secret-key, src/crypto/secret-rotation.ts).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const VERSION = 'v1';
const PREFIX = `${VERSION}:`;
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SecretBoxErrorCode =
  /** The SECRET_KEY value is not 32 bytes as hex or base64. */
  | 'INVALID_SECRET_KEY'
  /** The sealed value is not in a format this code knows (wrong prefix, bad base64, too short). */
  | 'MALFORMED_SEALED_VALUE'
  /** Authentication failed: the value was altered, or sealed under another key or context. */
  | 'AUTHENTICATION_FAILED';

/** The one error SecretBox throws. Messages never contain the key, the plaintext or the sealed value. */
export class SecretBoxError extends Error {
  readonly code: SecretBoxErrorCode;

  constructor(code: SecretBoxErrorCode, message: string) {
    super(message);
    this.name = 'SecretBoxError';
    this.code = code;
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// Standard and URL-safe alphabets, padding optional: operators paste keys from many tools.
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Reads a SECRET_KEY value: 64 hex characters, or base64 (standard or URL-safe) of exactly 32 bytes.
 * Hex is tried first: 64 hex characters are also valid base64, but of 48 bytes, never 32.
 */
export function parseSecretKey(value: string): Buffer {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed) && trimmed.length % 4 !== 1) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  // Only the length is reported: enough to spot a truncated paste, never the value itself.
  throw new SecretBoxError(
    'INVALID_SECRET_KEY',
    `SECRET_KEY must be 32 bytes written as 64 hexadecimal characters or as base64 (44 characters); ` +
      `the value given (${trimmed.length} characters) is neither`,
  );
}

/** A new random SECRET_KEY value, as 64 hex characters (the shape least likely to be mangled by shells). */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('hex');
}

function keyObject(secretKey: string | Buffer): KeyObject {
  if (typeof secretKey === 'string') return createSecretKey(parseSecretKey(secretKey));
  if (Buffer.isBuffer(secretKey) && secretKey.length === KEY_BYTES) return createSecretKey(secretKey);
  throw new SecretBoxError('INVALID_SECRET_KEY', `SECRET_KEY must be exactly ${KEY_BYTES} bytes`);
}

export interface SecretBoxOptions {
  /** SECRET_KEY_PREVIOUS: accepted for opening only, while stored values are re-sealed. */
  previous?: string | Buffer;
}

export class SecretBox {
  // ES private fields holding KeyObjects: util.inspect / console.log / JSON.stringify of the box
  // or of a service holding it cannot print a key.
  readonly #key: KeyObject;
  readonly #previous?: KeyObject;

  constructor(secretKey: string | Buffer, options: SecretBoxOptions = {}) {
    this.#key = keyObject(secretKey);
    if (options.previous !== undefined) this.#previous = keyObject(options.previous);
  }

  /** True when a previous key is configured (a rotation is under way). */
  get hasPreviousKey(): boolean {
    return this.#previous !== undefined;
  }

  /**
   * Encrypts `plaintext`. `context` (optional) is authenticated but not stored: pass e.g. the
   * column and row id so a sealed value copied into another row or column fails to open.
   * The same context must be given to `open`.
   */
  seal(plaintext: string, context = ''): string {
    if (typeof plaintext !== 'string') throw new TypeError('SecretBox.seal expects a string');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return PREFIX + Buffer.concat([iv, tag, ciphertext]).toString('base64url');
  }

  /**
   * Decrypts a value from `seal` under the current or the previous key; throws SecretBoxError if
   * it is malformed, altered or under neither key.
   */
  open(sealed: string, context = ''): string {
    return this.openWith(sealed, context).plaintext;
  }

  /**
   * For rotation: the value sealed under the current key, or null when it already is. Throws like
   * `open` when neither key opens it.
   */
  reseal(sealed: string, context = ''): string | null {
    const { plaintext, key } = this.openWith(sealed, context);
    return key === 'current' ? null : this.seal(plaintext, context);
  }

  private openWith(sealed: string, context: string): { plaintext: string; key: 'current' | 'previous' } {
    if (typeof sealed !== 'string' || !sealed.startsWith(PREFIX)) {
      throw new SecretBoxError('MALFORMED_SEALED_VALUE', `sealed value does not start with "${PREFIX}"`);
    }
    const body = sealed.slice(PREFIX.length);
    // Buffer.from(..., 'base64url') silently skips foreign characters; refuse them instead so a
    // corrupted value is reported as such rather than as a key mismatch.
    if (!/^[A-Za-z0-9_-]*$/.test(body)) {
      throw new SecretBoxError('MALFORMED_SEALED_VALUE', 'sealed value is not valid base64url');
    }
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) {
      throw new SecretBoxError('MALFORMED_SEALED_VALUE', 'sealed value is too short');
    }
    const current = decrypt(this.#key, bytes, context);
    if (current !== undefined) return { plaintext: current, key: 'current' };
    const previous = this.#previous && decrypt(this.#previous, bytes, context);
    if (previous !== undefined) return { plaintext: previous, key: 'previous' };
    // OpenSSL's message ("Unsupported state or unable to authenticate data") says nothing useful;
    // replace it with what it means for an operator.
    throw new SecretBoxError(
      'AUTHENTICATION_FAILED',
      this.#previous
        ? 'sealed value failed authentication: it was altered, or sealed under a key that is neither SECRET_KEY nor SECRET_KEY_PREVIOUS, or under another context'
        : 'sealed value failed authentication: it was altered, or sealed under a different SECRET_KEY or context',
    );
  }

  /** Keeps the key out of logs even when a caller inspects the box directly. */
  toJSON(): string {
    return '[SecretBox]';
  }
}

/** The plaintext, or undefined when `key` does not authenticate the value. */
function decrypt(key: KeyObject, bytes: Buffer, context: string): string | undefined {
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function additionalData(context: string): Buffer {
  // The version is fixed per format, so "v1" + NUL + context is unambiguous.
  return Buffer.from(`${VERSION}\0${context}`, 'utf8');
}
