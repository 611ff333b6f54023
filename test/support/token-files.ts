/**
 * Test helpers for DEP server token files: locating Apple's real sample, and building token files
 * like Apple's (and other tools') in every variant the parser must accept.
 *
 * The simulator's `issueServerTokenFile` (src/simulator/server-token-issuer.ts) builds the same
 * kind of file for the running simulator and could replace `buildTokenFile` for the well-formed
 * variants; the parser's tests keep their own builder so they do not depend on the simulator, and
 * so they can also build what it does not: BER with indefinite lengths, extra MIME-Version
 * headers, raw inner content and deliberately broken envelopes.
 */
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Apple's real sample token, kept in the repository (provenance and licence in its README.md). */
export const APPLE_FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'apple');

export interface AppleFixture {
  tokenFileText: string;
  tokenFileBytes: Buffer;
  privateKeyPem: string;
  certificatePem: string;
}

/** Apple's real token and its key pair. Throws (never skips) when the fixture is missing. */
export function loadAppleFixture(): AppleFixture {
  const file = (name: string): string => {
    const full = path.join(APPLE_FIXTURE_DIR, name);
    if (!fs.existsSync(full)) {
      throw new Error(`Apple token fixture missing: ${full} (part of the repository); these tests do not skip without it.`);
    }
    return full;
  };
  const tokenFileBytes = fs.readFileSync(file('server-token.p7m'));
  return {
    tokenFileBytes,
    tokenFileText: tokenFileBytes.toString('utf8'),
    privateKeyPem: fs.readFileSync(file('vendor-key.pem'), 'utf8'),
    certificatePem: fs.readFileSync(file('vendor-cert.crt'), 'utf8'),
  };
}

export interface AppleTokenJson {
  consumer_key: string;
  consumer_secret: string;
  access_token: string;
  access_secret: string;
  access_token_expiry: string;
}

export function sampleTokenJson(overrides: Partial<Record<keyof AppleTokenJson, unknown>> = {}): Record<string, unknown> {
  return {
    consumer_key: `CK_${'a1'.repeat(48)}`,
    consumer_secret: 'CS_secretvalue0123456789abcdef01234567',
    access_token: 'AT_O1234567890Oaccesstoken0123456789O1737111741803',
    access_secret: 'AS_accesssecret0123456789abcdef0123456',
    access_token_expiry: '2027-03-04T05:06:07Z',
    ...overrides,
  };
}

/** The decrypted content as Apple writes it: CRLF inner MIME header, then the MESSAGE block. */
export function innerContent(json: Record<string, unknown> | string): string {
  const body = typeof json === 'string' ? json : JSON.stringify(json);
  return (
    'Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n' +
    `-----BEGIN MESSAGE-----\n${body}\n-----END MESSAGE-----\n`
  );
}

export type ContentCipher = 'aes128' | 'aes256' | '3des';

const CIPHER_OIDS: Record<ContentCipher, string> = {
  aes128: forge.pki.oids['aes128-CBC']!,
  aes256: forge.pki.oids['aes256-CBC']!,
  '3des': forge.pki.oids['des-EDE3-CBC']!,
};

/** CMS envelopedData of `content` for `certificatePem`: DER, or BER with indefinite lengths like Apple's. */
export function envelope(
  certificatePem: string,
  content: string,
  options: { cipher?: ContentCipher; ber?: boolean } = {},
): Buffer {
  const message = forge.pkcs7.createEnvelopedData();
  message.addRecipient(forge.pki.certificateFromPem(certificatePem));
  message.content = forge.util.createBuffer(content, 'utf8');
  message.encrypt(undefined, CIPHER_OIDS[options.cipher ?? 'aes128']);
  const asn = message.toAsn1();
  const bytes = options.ber ? toIndefiniteBer(asn) : forge.asn1.toDer(asn).getBytes();
  return Buffer.from(bytes, 'binary');
}

export interface TokenFileOptions {
  contentType?: 'application/pkcs7-mime' | 'application/x-pkcs7-mime';
  lineEnding?: '\n' | '\r\n';
  /** false: the bare base64 body. */
  headers?: boolean;
  /** Add a `MIME-Version: 1.0` header first, as mail tools do. */
  mimeVersion?: boolean;
}

/** The .p7m text around CMS bytes: four MIME headers and base64 in 76 columns, like Apple's. */
export function smimeText(cms: Buffer, options: TokenFileOptions = {}): string {
  const eol = options.lineEnding ?? '\n';
  const body = (cms.toString('base64').match(/.{1,76}/g) ?? []).join(eol) + eol;
  if (options.headers === false) return body;
  const headers = [
    ...(options.mimeVersion ? ['MIME-Version: 1.0'] : []),
    `Content-Type: ${options.contentType ?? 'application/pkcs7-mime'}; name="smime.p7m"; smime-type=enveloped-data`,
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7m"',
    'Content-Description: S/MIME Encrypted Message',
  ];
  return headers.join(eol) + eol + eol + body;
}

/** A complete token file for `certificatePem` holding `json` (or any raw inner content). */
export function buildTokenFile(
  certificatePem: string,
  json: Record<string, unknown> | string = sampleTokenJson(),
  options: TokenFileOptions & { cipher?: ContentCipher; ber?: boolean; rawContent?: boolean } = {},
): string {
  const content = options.rawContent && typeof json === 'string' ? json : innerContent(json);
  return smimeText(envelope(certificatePem, content, options), options);
}

/**
 * Re-encodes forge's DER as BER the way Apple's (OpenSSL-based) encoder does: every constructed
 * value with indefinite length, and the encrypted content ([0] IMPLICIT OCTET STRING) as a
 * constructed string split into chunks.
 */
export function toIndefiniteBer(node: forge.asn1.Asn1, chunkSize = 512): string {
  const tag = (constructed: boolean): string => String.fromCharCode(node.tagClass | (constructed ? 0x20 : 0) | node.type);
  if (!Array.isArray(node.value)) {
    const value = node.value as string;
    return tag(false) + definiteLength(value.length) + value;
  }
  // forge leaves `undefined` in place of absent optional parts.
  const children = node.value.filter((child): child is forge.asn1.Asn1 => child !== undefined);
  const isEncryptedContent =
    node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC &&
    node.type === 0 &&
    children.length > 0 &&
    children.every((child) => child.type === forge.asn1.Type.OCTETSTRING && !Array.isArray(child.value));
  let inner = '';
  if (isEncryptedContent) {
    const value = children.map((child) => child.value as string).join('');
    for (let i = 0; i < value.length; i += chunkSize) {
      const chunk = value.slice(i, i + chunkSize);
      inner += '\x04' + definiteLength(chunk.length) + chunk;
    }
  } else {
    inner = children.map((child) => toIndefiniteBer(child, chunkSize)).join('');
  }
  return tag(true) + '\x80' + inner + '\x00\x00';
}

function definiteLength(length: number): string {
  if (length < 0x80) return String.fromCharCode(length);
  let bytes = '';
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes = String.fromCharCode(n & 0xff) + bytes;
  return String.fromCharCode(0x80 | bytes.length) + bytes;
}
