/**
 * The simulator's own OAuth 1.0a (RFC 5849) HMAC-SHA1 verifier for `GET /session`.
 *
 * Written from the RFC and deliberately independent of the client's signer (`src/apple/oauth1.ts`):
 * if both sides shared one implementation, a signing bug would verify against itself and no test
 * would notice. No OAuth library is installed, so this follows RFC 5849 §3.4–§3.6 directly and is
 * pinned to the RFC's and Twitter's published vectors in test/unit/simulator/oauth1-verifier.test.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A name/value list: parameters may repeat (RFC 5849 §3.4.1.3.1), so no record. */
export type OAuthParam = [name: string, value: string];

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * RFC 5849 §3.6: UTF-8 bytes; ALPHA, DIGIT, "-", ".", "_", "~" stay, every other byte becomes
 * "%" + two upper-case hex digits. Done byte by byte so nothing depends on encodeURIComponent's
 * idea of what is safe.
 */
export function rfc5849Encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * `application/x-www-form-urlencoded` decoding (HTML 4.01 §17.13.4), which RFC 5849 §3.4.1.3.1
 * prescribes for the query and a form body: "+" is a space, empty pieces are skipped, a piece
 * without "=" is a name with an empty value. Returns null on a broken %-escape.
 */
export function decodeFormParams(text: string): OAuthParam[] | null {
  const params: OAuthParam[] = [];
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = percentDecode((eq === -1 ? piece : piece.slice(0, eq)).replace(/\+/g, ' '));
    const value = percentDecode(eq === -1 ? '' : piece.slice(eq + 1).replace(/\+/g, ' '));
    if (name === null || value === null) return null;
    params.push([name, value]);
  }
  return params;
}

/** %XX-decoding as UTF-8; null on a broken escape or invalid UTF-8. */
function percentDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * RFC 5849 §3.4.1.2: lower-case scheme and host, the port only when it is not the scheme's
 * default, the path as sent, no query or fragment. WHATWG URL parsing already lower-cases the
 * scheme and host and leaves `port` empty for a default port (the tests pin both).
 */
export function baseStringUri(url: URL): string {
  return `${url.protocol}//${url.hostname}${url.port === '' ? '' : `:${url.port}`}${url.pathname}`;
}

/** RFC 5849 §3.4.1.3.2: encode names and values, sort by name then value (byte order), join. */
export function normalizeParams(params: OAuthParam[]): string {
  const encoded = params.map(([name, value]) => [rfc5849Encode(name), rfc5849Encode(value)]);
  // Encoded strings are pure ASCII, so comparing UTF-16 code units is comparing bytes.
  const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  encoded.sort(([an, av], [bn, bv]) => byteOrder(an, bn) || byteOrder(av, bv));
  return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

export interface SignedRequest {
  method: string;
  /** The request URL as received, query included. */
  url: string;
  /** Parameters of the Authorization header (realm and oauth_signature are dropped here). */
  headerParams: OAuthParam[];
  /** Only for a single-part `application/x-www-form-urlencoded` body (RFC 5849 §3.4.1.3.1). */
  formBody?: string;
}

/** RFC 5849 §3.4.1.1: `METHOD&enc(base string URI)&enc(normalized parameters)`. Null: bad escapes. */
export function signatureBaseString(request: SignedRequest): string | null {
  const url = new URL(request.url);
  const query = decodeFormParams(url.search.replace(/^\?/, ''));
  const body = request.formBody === undefined ? [] : decodeFormParams(request.formBody);
  if (!query || !body) return null;
  const signed = request.headerParams.filter(([name]) => name !== 'realm' && name !== 'oauth_signature');
  return [
    request.method.toUpperCase(),
    rfc5849Encode(baseStringUri(url)),
    rfc5849Encode(normalizeParams([...signed, ...query, ...body])),
  ].join('&');
}

/** RFC 5849 §3.4.2: HMAC-SHA1 keyed `enc(client secret)&enc(token secret)`, base64. */
export function hmacSha1(baseString: string, clientSecret: string, tokenSecret: string): string {
  const key = `${rfc5849Encode(clientSecret)}&${rfc5849Encode(tokenSecret)}`;
  return createHmac('sha1', key).update(baseString, 'utf8').digest('base64');
}

/** One `name="value"` (RFC 5849 §3.5.1 item 2); the value holds no quote once percent-encoded. */
const PAIR = /([^\s=,"]+)[ \t]*=[ \t]*"([^"]*)"/g;
/** The whole header: the scheme, then pairs separated by commas and optional blanks, nothing else. */
const PAIR_WITH_BLANKS = String.raw`[ \t]*[^\s=,"]+[ \t]*=[ \t]*"[^"]*"[ \t]*`;
const HEADER = new RegExp(String.raw`^[ \t]*OAuth[ \t]+(${PAIR_WITH_BLANKS}(?:,${PAIR_WITH_BLANKS})*)$`, 'i');

/**
 * RFC 5849 §3.5.1: `OAuth name="value", …` with percent-encoded names and values, commas with
 * optional whitespace between them; the scheme name is case-insensitive (RFC 2617). Null when it
 * is not OAuth, a pair is malformed, or a parameter repeats (it could not be told which one counts).
 */
export function parseOAuthHeader(header: string | undefined): OAuthParam[] | null {
  const list = header === undefined ? null : HEADER.exec(header);
  if (!list) return null;
  const params: OAuthParam[] = [];
  // HEADER has checked that only blanks and commas lie between the pairs, so scanning for pairs
  // cannot pick one up from inside a value.
  for (const [, rawName, rawValue] of list[1].matchAll(PAIR)) {
    const name = percentDecode(rawName);
    const value = percentDecode(rawValue);
    if (name === null || value === null || params.some(([seen]) => seen === name)) return null;
    params.push([name, value]);
  }
  return params;
}

/** Constant-time comparison of the received and the expected base64 signature. */
function sameSignature(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The `oauth_problem` values of the OAuth Problem Reporting extension that the simulator sends. */
export type OAuthProblem =
  | 'parameter_absent'
  | 'signature_method_rejected'
  | 'version_rejected'
  | 'consumer_key_unknown'
  | 'token_rejected'
  | 'timestamp_refused'
  | 'signature_invalid'
  | 'nonce_used';

/** What the verifier needs to know about a consumer key's holder (an MDM server fits as it is). */
export interface OAuthClientRecord {
  accessToken: string;
  consumerSecret: string;
  accessSecret: string;
}

export interface VerifyOptions<C extends OAuthClientRecord> {
  /** Unix milliseconds by the verifier's clock. */
  nowMs: number;
  /** How far `oauth_timestamp` may be from `nowMs`, either way. */
  timestampWindowMs: number;
  findClient(consumerKey: string): C | undefined;
  /** Records the nonce; false when it was seen already (a replay). */
  useNonce(consumerKey: string, nonce: string): boolean;
}

export type VerifyResult<C> = { ok: true; client: C } | { ok: false; problem: OAuthProblem };

const REQUIRED = ['oauth_consumer_key', 'oauth_token', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'];

/**
 * Checks a signed request in the order a client can act on: shape, method, version, who, when,
 * signature, then the nonce. The nonce is only spent once the signature is good, so a forged
 * request cannot burn a real client's nonce.
 */
export function verifyOAuthRequest<C extends OAuthClientRecord>(
  request: { method: string; url: string; authorization: string | undefined; formBody?: string },
  options: VerifyOptions<C>,
): VerifyResult<C> {
  const fail = (problem: OAuthProblem): VerifyResult<C> => ({ ok: false, problem });
  const headerParams = parseOAuthHeader(request.authorization);
  if (!headerParams) return fail('parameter_absent');
  const p = new Map(headerParams);
  if (REQUIRED.some((name) => !p.get(name))) return fail('parameter_absent');
  if (p.get('oauth_signature_method') !== 'HMAC-SHA1') return fail('signature_method_rejected');
  const version = p.get('oauth_version');
  if (version !== undefined && version !== '1.0') return fail('version_rejected');
  const consumerKey = p.get('oauth_consumer_key')!;
  const client = options.findClient(consumerKey);
  if (!client) return fail('consumer_key_unknown');
  if (p.get('oauth_token') !== client.accessToken) return fail('token_rejected');
  const timestamp = p.get('oauth_timestamp')!;
  const timestampMs = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) * 1000 : NaN;
  if (!(Math.abs(options.nowMs - timestampMs) <= options.timestampWindowMs)) return fail('timestamp_refused');
  const base = signatureBaseString({
    method: request.method,
    url: request.url,
    headerParams,
    formBody: request.formBody,
  });
  if (base === null) return fail('signature_invalid');
  const expected = hmacSha1(base, client.consumerSecret, client.accessSecret);
  if (!sameSignature(p.get('oauth_signature')!, expected)) return fail('signature_invalid');
  if (!options.useNonce(consumerKey, p.get('oauth_nonce')!)) return fail('nonce_used');
  return { ok: true, client };
}
