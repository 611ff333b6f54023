/**
 * Reads an Apps and Books location token file (`.vpptoken`): base64 of a JSON
 * `{"token": ..., "expDate": "2030-11-08T22:33:22+0000", "orgName": ...}`. The file's whole text
 * is the sToken Apple expects as `Authorization: Bearer`, so it is kept exactly as issued (only
 * surrounding whitespace and line breaks removed).
 *
 * Front ends that read files as bytes may send base64 of the file instead of its text: that is
 * base64 of base64, recognised and unwrapped once.
 */
import { parseAppleVppDate } from '../apple/vpp-client';

export const MAX_VPP_TOKEN_FILE_BYTES = 64 * 1024;

export type VppTokenFileErrorCode = 'VPP_TOKEN_FILE_TOO_LARGE' | 'VPP_TOKEN_FILE_UNREADABLE';

export class VppTokenFileError extends Error {
  constructor(
    readonly code: VppTokenFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VppTokenFileError';
  }
}

export interface VppTokenFile {
  /** The bearer secret: the file's text. */
  sToken: string;
  /** From the file; Apple's client/config answer is authoritative once read. */
  expiresAt: Date;
  orgName: string | null;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeJson(text: string): Record<string, unknown> | null {
  if (!BASE64.test(text) || text.length % 4 !== 0) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseVppTokenFile(input: string): VppTokenFile {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new VppTokenFileError('VPP_TOKEN_FILE_UNREADABLE', 'tokenFile is empty: paste the .vpptoken file text');
  }
  if (Buffer.byteLength(input, 'utf8') > MAX_VPP_TOKEN_FILE_BYTES) {
    throw new VppTokenFileError('VPP_TOKEN_FILE_TOO_LARGE', `A .vpptoken file is a few hundred bytes; this one is over ${MAX_VPP_TOKEN_FILE_BYTES / 1024} KB`);
  }
  let sToken = input.replace(/\s+/g, '');
  let json = decodeJson(sToken);
  if (!json && BASE64.test(sToken)) {
    const inner = Buffer.from(sToken, 'base64').toString('utf8').replace(/\s+/g, '');
    const unwrapped = decodeJson(inner);
    if (unwrapped) {
      sToken = inner;
      json = unwrapped;
    }
  }
  const unreadable = (why: string) =>
    new VppTokenFileError(
      'VPP_TOKEN_FILE_UNREADABLE',
      `This is not an Apps and Books location token (${why}): download the .vpptoken file under Preferences > Payments and Billing in Apple Business Manager`,
    );
  if (!json) throw unreadable('not base64 of a JSON object');
  if (typeof json.token !== 'string' || json.token === '') throw unreadable('no token');
  const expiresAt = parseAppleVppDate(json.expDate);
  if (!expiresAt) throw unreadable('no readable expDate');
  return { sToken, expiresAt, orgName: typeof json.orgName === 'string' && json.orgName !== '' ? json.orgName : null };
}
