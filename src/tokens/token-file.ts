/**
 * Reading an uploaded DEP server token (`*_smime.p7m`): unwrap the S/MIME text, parse the CMS
 * envelopedData, decrypt it with the vendor private key, and parse the JSON inside the
 * `-----BEGIN MESSAGE-----` block. Pure: no clock, no database. Expiry is the caller's rule;
 * `isServerTokenExpired` is here so every caller compares the same way.
 *
 * Error messages are written for the admin who uploaded the file and never contain key material,
 * the decrypted content or any value from it (only field names).
 */
import { createDecipheriv } from 'node:crypto';
import forge from 'node-forge';

/** Largest accepted upload. Apple's tokens are ~1.3 KB; anything near this limit is not a token. */
export const MAX_TOKEN_FILE_BYTES = 1024 * 1024;

/**
 * RSA decryptions attempted per upload. Each costs milliseconds in pure JS; without a cap a 1 MB
 * file listing thousands of recipients would pin a CPU for minutes. Apple sends exactly one.
 */
export const MAX_RECIPIENTS_TRIED = 8;

export const TOKEN_FILE_ERROR_CODES = [
  /** The upload is larger than MAX_TOKEN_FILE_BYTES. */
  'TOKEN_FILE_TOO_LARGE',
  /** Not an S/MIME file, base64 or DER of a CMS/PKCS#7 encrypted message at all. */
  'TOKEN_FILE_UNREADABLE',
  /** A valid encrypted message, but not for this key pair (or with an unsupported cipher). */
  'TOKEN_NOT_DECRYPTABLE',
  /** Decrypts, but the content is not a DEP server token (no MESSAGE block, bad JSON, bad fields). */
  'TOKEN_PAYLOAD_MALFORMED',
] as const;
export type TokenFileErrorCode = (typeof TOKEN_FILE_ERROR_CODES)[number];

export class TokenFileError extends Error {
  readonly code: TokenFileErrorCode;

  constructor(code: TokenFileErrorCode, message: string) {
    super(message);
    this.name = 'TokenFileError';
    this.code = code;
  }
}

/** The decrypted token, camelCased. All four credentials are opaque secrets: seal them at rest. */
export interface ServerTokenPayload {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessSecret: string;
  accessTokenExpiry: Date;
}

/** True from the expiry instant on (Apple refuses the token at its expiry time). */
export function isServerTokenExpired(payload: Pick<ServerTokenPayload, 'accessTokenExpiry'>, now: Date): boolean {
  return now.getTime() >= payload.accessTokenExpiry.getTime();
}

/**
 * Decrypts an uploaded server token.
 *
 * `input` may be: the file's text as Apple issues it (MIME headers + base64; CRLF or LF; either
 * pkcs7-mime content type), a bare base64 body, PEM-armoured PKCS#7, the raw DER/BER bytes, the
 * file's bytes, or base64 of the file's bytes.
 *
 * `certificatePem` (the key pair's certificate) selects the CMS recipient by issuer and serial
 * and gives a precise message when the token was made for another certificate. Without it, or
 * when it matches no recipient, the key is tried on each recipient: what matters is the key.
 */
export function decryptServerToken(
  input: string | Buffer,
  privateKeyPem: string,
  certificatePem?: string,
): ServerTokenPayload {
  const der = readTokenEnvelope(input);
  const envelope = parseEnvelope(der);
  const key = readPrivateKey(privateKeyPem);
  const cert = certificatePem === undefined ? undefined : readCertificate(certificatePem);
  const plaintext = decryptEnvelope(envelope, key, cert);
  return parseServerTokenPayload(plaintext);
}

// ---------------------------------------------------------------------------------------------
// 1. From what was uploaded to the CMS bytes
// ---------------------------------------------------------------------------------------------

const PKCS7_MEDIA_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

/**
 * Extracts the CMS bytes (DER or BER) from any accepted upload shape. Exported for tests and for
 * callers that want to validate a file's shape before they have the key.
 */
export function readTokenEnvelope(input: string | Buffer): Buffer {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input?.length;
  if (typeof size !== 'number') {
    throw unreadable('The token file is empty.');
  }
  if (size > MAX_TOKEN_FILE_BYTES) {
    throw new TokenFileError(
      'TOKEN_FILE_TOO_LARGE',
      `The token file is ${size} bytes; a DEP server token is a few kilobytes and at most ` +
        `${MAX_TOKEN_FILE_BYTES} bytes are accepted. Upload the .p7m file downloaded from Apple Business Manager.`,
    );
  }
  if (typeof input === 'string') return fromText(input, true);
  if (!Buffer.isBuffer(input)) throw unreadable('The token file is empty.');
  const bytes = stripUtf8Bom(input);
  // The encrypted content makes real CMS bytes non-ASCII, and the S/MIME file is pure ASCII:
  // that tells the two shapes apart without guessing from the first byte (0x30 is also '0').
  if (isAsciiText(bytes)) return fromText(bytes.toString('latin1'), true);
  // Not ASCII and not starting like a DER SEQUENCE: perhaps a text file with a stray non-ASCII
  // character (a header parameter, say); the text path refuses it if it is not one.
  if (bytes[0] !== 0x30) return fromText(bytes.toString('utf8'), true);
  return bytes;
}

function fromText(text: string, mayBeWrapped: boolean): Buffer {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw unreadable('The token file is empty.');

  // PEM armour, as `openssl smime -pk7out` / `openssl cms -outform PEM` write it.
  const pem = /^-----BEGIN (PKCS7|CMS)-----\r?\n([\s\S]*?)\r?\n-----END \1-----$/.exec(trimmed);
  if (pem) return decodeBase64OrThrow(pem[2]!, 'The PEM block');

  if (/^[A-Za-z][A-Za-z0-9-]*[ \t]*:/.test(trimmed)) return fromMime(trimmed);

  const decoded = decodeBase64(trimmed);
  if (decoded === undefined) {
    throw unreadable(
      'The token file is not readable: expected the .p7m file from Apple Business Manager ' +
        '(MIME headers and a base64 body), its base64 body, or its raw bytes.',
    );
  }
  if (decoded.length > 0 && !isAsciiText(decoded)) return decoded;
  // Base64 of the whole file (the API accepts "base64 of the raw bytes"): unwrap once, no more,
  // so nested base64 cannot make us loop.
  if (mayBeWrapped && decoded.length > 0) return fromText(decoded.toString('latin1'), false);
  throw unreadable('The token file decodes to text, not to CMS (PKCS#7) data.');
}

function fromMime(text: string): Buffer {
  const separator = /\r?\n[ \t]*\r?\n/.exec(text);
  if (!separator) {
    throw unreadable('The token file has MIME headers but no body (a blank line must separate them).');
  }
  const headers = parseMimeHeaders(text.slice(0, separator.index));
  const body = text.slice(separator.index + separator[0].length);

  const contentType = headers.get('content-type');
  if (contentType !== undefined) {
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    if (!PKCS7_MEDIA_TYPES.has(mediaType)) {
      throw unreadable(
        `The token file's Content-Type is "${clip(mediaType)}"; expected application/pkcs7-mime ` +
          '(an S/MIME encrypted message).',
      );
    }
  }
  const encoding = headers.get('content-transfer-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== 'base64') {
    throw unreadable(`The token file's Content-Transfer-Encoding is "${clip(encoding)}"; only base64 is supported.`);
  }
  return decodeBase64OrThrow(body, 'The token file body');
}

function parseMimeHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  let current: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current !== undefined) {
      // Folded continuation line (RFC 5322 §2.2.3).
      headers.set(current, `${headers.get(current)} ${line.trim()}`);
      continue;
    }
    const match = /^([A-Za-z][A-Za-z0-9-]*)[ \t]*:(.*)$/.exec(line);
    if (!match) throw unreadable('The token file has a malformed MIME header line.');
    current = match[1]!.toLowerCase();
    headers.set(current, match[2]!.trim());
  }
  return headers;
}

function decodeBase64OrThrow(text: string, what: string): Buffer {
  const decoded = decodeBase64(text);
  if (decoded === undefined || decoded.length === 0) throw unreadable(`${what} is not valid base64.`);
  return decoded;
}

/** Strict base64 (standard or URL-safe alphabet, any whitespace): Buffer.from alone skips junk. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 === 1) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) && !/^[A-Za-z0-9_-]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

function isAsciiText(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte > 0x7e || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d)) return false;
  }
  return true;
}

function stripUtf8Bom(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

// ---------------------------------------------------------------------------------------------
// 2. CMS envelopedData
// ---------------------------------------------------------------------------------------------

/** What this module reads from node-forge's parsed message (its typings are looser than reality). */
interface Envelope {
  recipients: RecipientInfo[];
  contentAlgorithm: string;
  iv: Buffer;
  encryptedContent: Buffer;
  findRecipient(cert: forge.pki.Certificate): RecipientInfo | null;
}

interface RecipientInfo {
  issuer: Array<{ type: string; value: unknown }>;
  serialNumber: string;
  encryptedContent: { algorithm: string; content: unknown };
}

interface ForgeEnvelopedMessage {
  type: string;
  recipients: RecipientInfo[];
  encryptedContent: { algorithm: string; parameter: forge.util.ByteStringBuffer; content: forge.util.ByteStringBuffer };
  findRecipient(cert: forge.pki.Certificate): RecipientInfo | null;
}

function parseEnvelope(der: Buffer): Envelope {
  let asn: forge.asn1.Asn1;
  try {
    // node-forge reads BER indefinite lengths (Apple's `30 80 ...`) natively, also in its default
    // strict mode, which still refuses truncated values. parseAllBytes refuses trailing junk.
    // The options object is valid at runtime but missing from @types/node-forge.
    const fromDer = forge.asn1.fromDer as unknown as (bytes: forge.util.ByteStringBuffer, options: object) => forge.asn1.Asn1;
    asn = fromDer(forge.util.createBuffer(der.toString('binary')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
  } catch {
    throw unreadable('The token file does not contain valid CMS (PKCS#7) data.');
  }

  let message: ForgeEnvelopedMessage;
  try {
    message = forge.pkcs7.messageFromAsn1(asn) as unknown as ForgeEnvelopedMessage;
  } catch {
    throw unreadable('The token file is not a CMS (PKCS#7) encrypted message of a kind a DEP token uses.');
  }
  if (message.type !== forge.pki.oids.envelopedData) {
    throw unreadable('The token file is a PKCS#7 message but not an encrypted (enveloped-data) one.');
  }
  if (!Array.isArray(message.recipients) || message.recipients.length === 0) {
    throw unreadable('The token file is an encrypted message without recipients.');
  }
  return {
    recipients: message.recipients,
    contentAlgorithm: message.encryptedContent.algorithm,
    iv: Buffer.from(message.encryptedContent.parameter.bytes(), 'binary'),
    encryptedContent: Buffer.from(message.encryptedContent.content.bytes(), 'binary'),
    findRecipient: (cert) => message.findRecipient(cert),
  };
}

/** Content ciphers a DEP token may use (Apple: AES-128; other tools: AES-256, 3DES). */
const CONTENT_CIPHERS: Record<string, { name: string; label: string; keyBytes: number; ivBytes: number }> = {
  [forge.pki.oids['aes128-CBC']!]: { name: 'aes-128-cbc', label: 'AES-128-CBC', keyBytes: 16, ivBytes: 16 },
  [forge.pki.oids['aes192-CBC']!]: { name: 'aes-192-cbc', label: 'AES-192-CBC', keyBytes: 24, ivBytes: 16 },
  [forge.pki.oids['aes256-CBC']!]: { name: 'aes-256-cbc', label: 'AES-256-CBC', keyBytes: 32, ivBytes: 16 },
  [forge.pki.oids['des-EDE3-CBC']!]: { name: 'des-ede3-cbc', label: '3DES-CBC', keyBytes: 24, ivBytes: 8 },
};

function decryptEnvelope(
  envelope: Envelope,
  key: forge.pki.rsa.PrivateKey,
  cert: forge.pki.Certificate | undefined,
): string {
  const cipher = CONTENT_CIPHERS[envelope.contentAlgorithm];
  if (!cipher) {
    throw new TokenFileError(
      'TOKEN_NOT_DECRYPTABLE',
      `The token is encrypted with a cipher this service does not support (OID ${clip(envelope.contentAlgorithm)}); ` +
        'supported: AES-128/192/256-CBC and 3DES-CBC.',
    );
  }
  if (envelope.iv.length !== cipher.ivBytes) {
    throw unreadable('The token file is damaged: its content encryption parameters are invalid.');
  }

  if (!envelope.recipients.some((r) => r.encryptedContent.algorithm === forge.pki.oids.rsaEncryption)) {
    throw new TokenFileError(
      'TOKEN_NOT_DECRYPTABLE',
      `The token's content key is wrapped with an algorithm this service does not support ` +
        `(OID ${clip(String(envelope.recipients[0]!.encryptedContent.algorithm))}); Apple uses RSA PKCS#1 v1.5.`,
    );
  }

  const matched = cert ? envelope.findRecipient(cert) : null;
  // The matching recipient first, then the rest: a key still opens a token addressed to another
  // certificate holding the same public key.
  const candidates = matched ? [matched, ...envelope.recipients.filter((r) => r !== matched)] : envelope.recipients;
  const modulusBytes = Math.ceil(key.n.bitLength() / 8);

  for (const recipient of candidates.slice(0, MAX_RECIPIENTS_TRIED)) {
    const plaintext = tryRecipient(envelope, recipient, key, modulusBytes, cipher);
    if (plaintext !== undefined) return plaintext;
  }

  if (matched) {
    throw new TokenFileError(
      'TOKEN_NOT_DECRYPTABLE',
      "The token is addressed to this key pair's certificate but does not decrypt with its private key. " +
        'The stored key and certificate do not belong together, or the file is damaged.',
    );
  }
  const addressedTo = describeRecipient(envelope.recipients[0]!);
  throw new TokenFileError(
    'TOKEN_NOT_DECRYPTABLE',
    "The token was not encrypted for this key pair's public key" +
      (cert ? ` (it is addressed to ${addressedTo}; this key pair's certificate has serial ${cert.serialNumber})` : ` (it is addressed to ${addressedTo})`) +
      '. Download the token from the MDM server in Apple Business Manager to which this key pair\'s certificate was uploaded.',
  );
}

/**
 * One recipient: RSA PKCS#1 v1.5 unwrap of the content key, then CBC decryption.
 * A wrong key almost always fails the PKCS#1 padding check; when random bytes happen to pass it
 * (roughly 1 in 2^16), the unwrapped key must also have the cipher's exact length, the CBC padding
 * must verify and the result must be UTF-8 text: together that turns garbage into a refusal
 * (TOKEN_NOT_DECRYPTABLE) instead of a misleading "malformed payload".
 *
 * The RSA step uses node-forge: Node >= 20.11 refuses PKCS#1 v1.5 private decryption
 * (CVE-2023-46809, Marvin), and CMS key transport is exactly that. The timing side channel needs an
 * attacker who can submit many chosen ciphertexts and time each; uploads are admin-only.
 */
function tryRecipient(
  envelope: Envelope,
  recipient: RecipientInfo,
  key: forge.pki.rsa.PrivateKey,
  modulusBytes: number,
  cipher: { name: string; keyBytes: number },
): string | undefined {
  if (recipient.encryptedContent.algorithm !== forge.pki.oids.rsaEncryption) return undefined;
  const wrapped = octets(recipient.encryptedContent.content);
  if (wrapped === undefined || wrapped.length !== modulusBytes) return undefined;

  let contentKey: Buffer;
  try {
    contentKey = Buffer.from(key.decrypt(wrapped, 'RSAES-PKCS1-V1_5'), 'binary');
  } catch {
    return undefined;
  }
  if (contentKey.length !== cipher.keyBytes) return undefined;

  let content: Buffer;
  try {
    const decipher = createDecipheriv(cipher.name, contentKey, envelope.iv);
    content = Buffer.concat([decipher.update(envelope.encryptedContent), decipher.final()]);
  } catch {
    return undefined;
  } finally {
    contentKey.fill(0);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return undefined;
  } finally {
    content.fill(0);
  }
}

/** forge gives an OCTET STRING's value as a byte string, or as parts when BER split it. */
function octets(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map((part: { value?: unknown }) => part?.value);
    return parts.every((p): p is string => typeof p === 'string') ? parts.join('') : undefined;
  }
  return undefined;
}

function describeRecipient(recipient: RecipientInfo): string {
  const cn = recipient.issuer.find((attr) => attr.type === forge.pki.oids.commonName!)?.value;
  const issuer = typeof cn === 'string' ? ` issued by "${clip(cn)}"` : '';
  return `the certificate with serial ${clip(recipient.serialNumber)}${issuer}`;
}

function readPrivateKey(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  try {
    // Accepts PKCS#1 ("RSA PRIVATE KEY", Apple-era tools) and PKCS#8 ("PRIVATE KEY", ours).
    const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
    if (!key || typeof key.decrypt !== 'function') throw new Error('not RSA');
    return key;
  } catch {
    // A server-side fault (the stored key), not the uploader's: a plain Error, masked upstream.
    throw new Error('decryptServerToken: the private key is not a readable unencrypted RSA private key PEM');
  }
}

function readCertificate(certificatePem: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(certificatePem);
  } catch {
    throw new Error('decryptServerToken: the certificate is not a readable RSA X.509 certificate PEM');
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The decrypted payload
// ---------------------------------------------------------------------------------------------

const BEGIN_MESSAGE = '-----BEGIN MESSAGE-----';
const END_MESSAGE = '-----END MESSAGE-----';

const FIELDS = {
  consumer_key: 'consumerKey',
  consumer_secret: 'consumerSecret',
  access_token: 'accessToken',
  access_secret: 'accessSecret',
} as const;

/**
 * Parses the decrypted content: an inner MIME header (ignored), then one JSON object between
 * `-----BEGIN MESSAGE-----` and `-----END MESSAGE-----`. Exported for tests and the simulator.
 */
export function parseServerTokenPayload(plaintext: string): ServerTokenPayload {
  const begin = plaintext.indexOf(BEGIN_MESSAGE);
  const end = begin < 0 ? -1 : plaintext.indexOf(END_MESSAGE, begin + BEGIN_MESSAGE.length);
  if (begin < 0 || end < 0) {
    throw malformed(`The decrypted token has no ${BEGIN_MESSAGE} … ${END_MESSAGE} block; it is not a DEP server token.`);
  }

  let data: unknown;
  try {
    data = JSON.parse(plaintext.slice(begin + BEGIN_MESSAGE.length, end));
  } catch {
    // JSON.parse's own message quotes the input, which holds the secrets: never pass it on.
    throw malformed('The decrypted token message is not valid JSON.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw malformed('The decrypted token message is not a JSON object.');
  }
  const record = data as Record<string, unknown>;

  const bad = [...Object.keys(FIELDS), 'access_token_expiry'].filter((field) => {
    const value = Object.hasOwn(record, field) ? record[field] : undefined;
    return typeof value !== 'string' || value.trim() === '';
  });
  if (bad.length > 0) {
    throw malformed(`The decrypted token is missing, or has empty or non-text, fields: ${bad.join(', ')}.`);
  }

  const expiry = parseRfc3339(record.access_token_expiry as string);
  if (expiry === undefined) {
    throw malformed('The decrypted token has an access_token_expiry that is not an RFC 3339 date-time (like 2026-01-17T11:02:21Z).');
  }

  return {
    consumerKey: record.consumer_key as string,
    consumerSecret: record.consumer_secret as string,
    accessToken: record.access_token as string,
    accessSecret: record.access_secret as string,
    accessTokenExpiry: expiry,
  };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Strict RFC 3339: Date.parse would accept other shapes and rolls 2026-02-30 over into March.
 * Leap seconds (:60) are refused; Apple writes whole seconds in UTC.
 */
function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const lastOfMonth = new Date(0);
  lastOfMonth.setUTCFullYear(year, month, 0); // day 0 of the next month
  if (day > lastOfMonth.getUTCDate()) return undefined;
  let offsetMinutes = 0;
  if (!m[8]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // setUTCFullYear: Date.UTC maps years 0-99 to 1900s
  utc.setUTCHours(hour, minute, second, Math.floor(millis));
  return new Date(utc.getTime() - offsetMinutes * 60 * 1000);
}

// ---------------------------------------------------------------------------------------------

function unreadable(message: string): TokenFileError {
  return new TokenFileError('TOKEN_FILE_UNREADABLE', message);
}

function malformed(message: string): TokenFileError {
  return new TokenFileError('TOKEN_PAYLOAD_MALFORMED', message);
}

/** Bounds anything echoed from the file (headers, OIDs, names) so a message stays readable. */
function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}
