/**
 * OAuth 1.0a (RFC 5849) HMAC-SHA1 signing as Apple's `GET /session` wants it (spec §2).
 * Pure functions the client signs with (the simulator verifies with its own
 * src/simulator/oauth1-verifier.ts); the unit test pins them to a vector computed
 * independently with openssl.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DepOAuthCredentials } from './dep-credentials';

export const OAUTH_REALM = 'ADM';
export const OAUTH_SIGNATURE_METHOD = 'HMAC-SHA1';
export const OAUTH_VERSION = '1.0';

/**
 * RFC 3986 / RFC 5849 §3.6 percent-encoding: everything but ALPHA / DIGIT / "-" / "." / "_" / "~".
 * `encodeURIComponent` leaves `!'()*` alone, which RFC 5849 requires to be encoded.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

export function percentDecode(value: string): string {
  return decodeURIComponent(value);
}

/**
 * RFC 5849 §3.4.1.2 base string URI: lower-case scheme and host, default port dropped, no query or
 * fragment. WHATWG URL already lower-cases and drops default ports.
 */
export function baseStringUri(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** Query parameters of the URL take part in the signature (RFC 5849 §3.4.1.3.1). */
function queryParams(url: string): Array<[string, string]> {
  return [...new URL(url).searchParams.entries()];
}

/** RFC 5849 §3.4.1.3.2: encode each name and value, sort by name then value, join with & and =. */
export function normalizeParameters(params: Array<[string, string]>): string {
  return params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * `METHOD&pct(base URI)&pct(normalized params)`. `params` are the protocol parameters without
 * `oauth_signature` and without `realm` (RFC 5849 §3.4.1.3.1 excludes both).
 */
export function signatureBaseString(
  method: string,
  url: string,
  params: Record<string, string>,
): string {
  const all: Array<[string, string]> = [
    ...Object.entries(params).filter(([k]) => k !== 'oauth_signature' && k !== 'realm'),
    ...queryParams(url),
  ];
  return [
    method.toUpperCase(),
    percentEncode(baseStringUri(url)),
    percentEncode(normalizeParameters(all)),
  ].join('&');
}

/** HMAC-SHA1 keyed with `pct(consumer_secret)&pct(access_secret)`, base64. */
export function hmacSha1Signature(
  baseString: string,
  consumerSecret: string,
  accessSecret: string,
): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(accessSecret)}`;
  return createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
}

export interface AuthorizationHeaderInput {
  method: string;
  url: string;
  credentials: Pick<
    DepOAuthCredentials,
    'consumerKey' | 'consumerSecret' | 'accessToken' | 'accessSecret'
  >;
  /** Unix seconds. */
  timestamp: number;
  nonce: string;
}

/** The protocol parameters that get signed (everything but the signature itself). */
export function oauthParameters(input: AuthorizationHeaderInput): Record<string, string> {
  return {
    oauth_consumer_key: input.credentials.consumerKey,
    oauth_token: input.credentials.accessToken,
    oauth_signature_method: OAUTH_SIGNATURE_METHOD,
    oauth_timestamp: String(Math.floor(input.timestamp)),
    oauth_nonce: input.nonce,
    oauth_version: OAUTH_VERSION,
  };
}

/** `OAuth realm="ADM", oauth_consumer_key="…", …, oauth_signature="…"` (values percent-encoded). */
export function buildAuthorizationHeader(input: AuthorizationHeaderInput): string {
  const params = oauthParameters(input);
  const signature = hmacSha1Signature(
    signatureBaseString(input.method, input.url, params),
    input.credentials.consumerSecret,
    input.credentials.accessSecret,
  );
  const fields = Object.entries({ ...params, oauth_signature: signature }).map(
    ([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`,
  );
  return `OAuth realm="${OAUTH_REALM}", ${fields.join(', ')}`;
}

export interface ParsedAuthorizationHeader {
  realm?: string;
  /** Decoded `oauth_*` parameters, including `oauth_signature`. */
  params: Record<string, string>;
}

/**
 * Parses an `Authorization: OAuth …` header (RFC 5849 §3.5.1). Returns null when the scheme is not
 * OAuth or a parameter is malformed, so a caller can answer 401 without throwing.
 */
export function parseAuthorizationHeader(
  header: string | undefined,
): ParsedAuthorizationHeader | null {
  if (!header) return null;
  const match = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  let realm: string | undefined;
  const pair = /\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  const rest = match[1];
  let index = 0;
  while (index < rest.length) {
    pair.lastIndex = index;
    const m = pair.exec(rest);
    if (!m) return null;
    index = pair.lastIndex;
    let name: string;
    let value: string;
    try {
      name = percentDecode(m[1]);
      value = percentDecode(m[2]);
    } catch {
      return null;
    }
    if (name === 'realm') realm = value;
    else if (Object.prototype.hasOwnProperty.call(params, name)) return null; // duplicates are ambiguous
    else params[name] = value;
  }
  return { realm, params };
}

export interface VerifySignatureInput {
  method: string;
  url: string;
  /** Parsed parameters including `oauth_signature`. */
  params: Record<string, string>;
  consumerSecret: string;
  accessSecret: string;
}

/** Recomputes the signature and compares in constant time. */
export function verifySignature(input: VerifySignatureInput): boolean {
  const received = input.params.oauth_signature;
  if (!received) return false;
  const expected = hmacSha1Signature(
    signatureBaseString(input.method, input.url, input.params),
    input.consumerSecret,
    input.accessSecret,
  );
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
